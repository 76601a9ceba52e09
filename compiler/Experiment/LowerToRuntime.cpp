//===- LowerToRuntime.cpp - The host program as calls into the runtime ----===//
//
// Turns an `exp.experiment` into `func.func @main(argc, argv)`: the host
// program with every `exp` op replaced by calls of the runtime's C ABI
// (runtime/include/kiln/program.h) and every graph call by an `exp.invoke`
// on buffers. Tensors become statically shaped buffers allocated once at
// the start, one per op that produces one, so that loops allocate nothing;
// data sets and strings become pointers the runtime owns.
//
//===----------------------------------------------------------------------===//

#include "compiler/Experiment/Passes.h"
#include "dialects/Experiment/IR/ExperimentOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/SHA256.h"

namespace kiln::experiment {
#define GEN_PASS_DEF_LOWERTORUNTIME
#include "compiler/Experiment/Passes.h.inc"
} // namespace kiln::experiment

using namespace mlir;

namespace kiln {
namespace {

/// Buffers of a model's parameters, or of an optimizer's state.
struct ParamBuffers {
  SmallVector<Value> params;
  SmallVector<StringRef> names;
};
struct OptimizerBuffers {
  SmallVector<Value> params;
  SmallVector<Value> state;
  Value counter;    // memref<f32>: steps taken, the train step's step number
  Value lr;         // memref<f32>: the base learning rate
  Value dropoutKey; // memref<2xi64>: [seed, step number], with dropout only
};

class HostLowering {
public:
  HostLowering(ModuleOp module, exp::ExperimentOp experiment)
      : module(module), experiment(experiment), context(module.getContext()),
        b(context), ptrType(LLVM::LLVMPointerType::get(context)) {}

  LogicalResult lower(StringRef sourceHash);

private:
  // Runtime calls.
  func::FuncOp declare(StringRef name, TypeRange inputs, TypeRange results);
  Value call(StringRef name, TypeRange results, ValueRange args);
  void callVoid(StringRef name, ValueRange args) { call(name, {}, args); }
  Value string(StringRef value);
  Value i64(int64_t value);
  Value i32(int32_t value);
  Value f64(double value);
  Value pointerTo(Value buffer);
  Value nullPointer();
  /// A buffer for the results of `op`, allocated once at the start.
  Value allocate(MemRefType type);
  Value allocateFor(Type tensor, Operation *op);
  int64_t site() { return nextSite++; }
  /// Emits `body` under `if (kiln_run_live(run))`: effects a resumed run
  /// skips until it reaches the checkpoint's position.
  void whenLive(llvm::function_ref<void()> body) {
    Location loc = b.getUnknownLoc();
    Value live = arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::ne,
        call("kiln_run_live", b.getI32Type(), {run}), i32(0));
    auto branch = scf::IfOp::create(b, loc, TypeRange{}, live,
                                    /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(branch.thenBlock()->getTerminator());
    body();
  }
  /// Whether hyper-parameter `name` is the run's own seed.
  bool isRunSeed(StringRef name) {
    return name == "seed" &&
           isa<IntegerAttr>(experiment.getHparams().get(name));
  }

  // The host program.
  LogicalResult lowerBlock(Block &from);
  LogicalResult lowerOp(Operation &op);
  LogicalResult lowerFor(scf::ForOp op);
  LogicalResult lowerIf(scf::IfOp op);
  LogicalResult lowerParams(exp::ParamsOp op);
  LogicalResult lowerOptimizer(exp::OptimizerOp op);
  LogicalResult lowerStep(exp::StepOp op);
  LogicalResult lowerCallGraph(exp::CallGraphOp op);
  LogicalResult lowerLog(exp::LogOp op);
  LogicalResult lowerField(exp::FieldOp op);
  /// The host type that stands for `type`: pointers for strings and data
  /// sets; null for the types that only `exp` ops consume.
  Type hostType(Type type);

  ModuleOp module;
  exp::ExperimentOp experiment;
  MLIRContext *context;
  OpBuilder b;
  Type ptrType;
  Value run;
  /// Where buffers are allocated: the start of the program proper.
  Block *allocBlock = nullptr;
  IRMapping mapping;
  llvm::StringMap<int64_t> hparamIndex;
  DenseMap<Value, ParamBuffers> paramsOf;
  DenseMap<Value, OptimizerBuffers> optimizerOf;
  llvm::StringMap<LLVM::GlobalOp> strings;
  /// Loops inside which no checkpoint may be saved besides those carrying
  /// values: see loopsWithoutSaves.
  DenseSet<Operation *> holdsNoSave;
  int64_t nextSite = 0, nextLoop = 0, nextOptimizer = 0;
};

//===----------------------------------------------------------------------===//
// Runtime calls and constants
//===----------------------------------------------------------------------===//

func::FuncOp HostLowering::declare(StringRef name, TypeRange inputs,
                                   TypeRange results) {
  if (auto fn = module.lookupSymbol<func::FuncOp>(name))
    return fn;
  OpBuilder top = OpBuilder::atBlockEnd(module.getBody());
  auto fn = func::FuncOp::create(top, module.getLoc(), name,
                                 top.getFunctionType(inputs, results));
  fn.setPrivate();
  return fn;
}

Value HostLowering::call(StringRef name, TypeRange results, ValueRange args) {
  func::FuncOp fn = declare(name, args.getTypes(), results);
  auto op = func::CallOp::create(b, b.getUnknownLoc(), fn, args);
  return results.empty() ? Value() : op.getResult(0);
}

Value HostLowering::string(StringRef value) {
  LLVM::GlobalOp &global = strings[value];
  if (!global) {
    OpBuilder top = OpBuilder::atBlockBegin(module.getBody());
    std::string text = value.str();
    text.push_back('\0');
    auto type =
        LLVM::LLVMArrayType::get(IntegerType::get(context, 8), text.size());
    global = LLVM::GlobalOp::create(
        top, module.getLoc(), type, /*isConstant=*/true, LLVM::Linkage::Private,
        ("kiln_str_" + llvm::Twine(strings.size() - 1)).str(),
        top.getStringAttr(text));
  }
  return LLVM::AddressOfOp::create(b, b.getUnknownLoc(), global);
}

Value HostLowering::i64(int64_t value) {
  return arith::ConstantIntOp::create(b, b.getUnknownLoc(), b.getI64Type(),
                                      value);
}
Value HostLowering::i32(int32_t value) {
  return arith::ConstantIntOp::create(b, b.getUnknownLoc(), b.getI32Type(),
                                      value);
}
Value HostLowering::f64(double value) {
  return arith::ConstantFloatOp::create(b, b.getUnknownLoc(), b.getF64Type(),
                                        APFloat(value));
}

Value HostLowering::pointerTo(Value buffer) {
  Location loc = buffer.getLoc();
  Value index = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buffer);
  Value integer = arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
  return LLVM::IntToPtrOp::create(b, loc, ptrType, integer);
}

Value HostLowering::nullPointer() {
  return LLVM::ZeroOp::create(b, b.getUnknownLoc(), ptrType);
}

Value HostLowering::allocate(MemRefType type) {
  OpBuilder at = OpBuilder::atBlockBegin(allocBlock);
  return memref::AllocOp::create(at, experiment.getLoc(), type,
                                 at.getI64IntegerAttr(64));
}

Value HostLowering::allocateFor(Type type, Operation *op) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape()) {
    op->emitOpError("produces ") << type
                                 << ", which the host program cannot hold: "
                                    "it needs a statically shaped tensor";
    return nullptr;
  }
  return allocate(MemRefType::get(tensor.getShape(), tensor.getElementType()));
}

/// "file:line:col" of the source position `loc` carries, if any.
static std::string sourceText(Location loc) {
  std::string text;
  loc->walk([&](Location inner) {
    if (auto file = dyn_cast<FileLineColLoc>(inner)) {
      text = (file.getFilename().strref() + ":" + Twine(file.getLine()) + ":" +
              Twine(file.getColumn()))
                 .str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return text.empty() ? "the program" : text;
}

Type HostLowering::hostType(Type type) {
  if (isa<exp::StrType, exp::DatasetType, exp::ReplayType>(type))
    return ptrType;
  if (type.isIntOrIndexOrFloat())
    return type;
  return nullptr;
}

//===----------------------------------------------------------------------===//
// The program
//===----------------------------------------------------------------------===//

/// Whether `op` reads the state that train steps change: a graph call on
/// the parameters, a step's loss, or anything computed from those.
static bool readsTrainedState(Operation *op, const DenseSet<Value> &derived) {
  if (auto call = dyn_cast<exp::CallGraphOp>(op); call && call.getParams())
    return true;
  if (isa<exp::StepOp>(op))
    return true;
  if (llvm::any_of(op->getOperands(),
                   [&](Value v) { return derived.contains(v); }))
    return true;
  for (Region &region : op->getRegions())
    for (Block &block : region)
      if (Operation *end = block.getTerminator();
          end && llvm::any_of(end->getOperands(),
                              [&](Value v) { return derived.contains(v); }))
        return true;
  return false;
}

/// Loops in which a checkpoint must not be saved although they carry no
/// values: a resumed run re-executes its way back to a checkpoint's
/// position, so a value computed from the trained state before a loop and
/// used after it, in the same iteration, would come back computed from the
/// state not yet restored. The enclosing loop of such a stretch (or, at the
/// top of the experiment, the loops in it) holds no save.
static DenseSet<Operation *> loopsWithoutSaves(exp::ExperimentOp experiment) {
  DenseSet<Value> derived;
  experiment.walk([&](Operation *op) {
    if (readsTrainedState(op, derived))
      derived.insert(op->result_begin(), op->result_end());
  });
  DenseSet<Operation *> loops;
  experiment.walk([&](Block *block) {
    for (auto q = block->begin(); q != block->end(); ++q) {
      bool hasLoop = false;
      q->walk([&](scf::ForOp) { hasLoop = true; });
      if (!hasLoop)
        continue;
      // A use in the loop or after it.
      bool hazard = false;
      for (Operation &before : llvm::make_range(block->begin(), q))
        for (Value result : before.getResults())
          for (Operation *user : result.getUsers()) {
            Operation *at = block->findAncestorOpInBlock(*user);
            if (derived.contains(result) && at &&
                (at == &*q || q->isBeforeInBlock(at)))
              hazard = true;
          }
      if (!hazard)
        continue;
      if (auto loop = block->getParentOp()->getParentOfType<scf::ForOp>();
          loop || isa<scf::ForOp>(block->getParentOp()))
        loops.insert(isa<scf::ForOp>(block->getParentOp())
                         ? block->getParentOp()
                         : loop.getOperation());
      else
        q->walk<WalkOrder::PreOrder>([&](scf::ForOp inner) {
          loops.insert(inner);
          return WalkResult::skip();
        });
    }
  });
  return loops;
}

LogicalResult HostLowering::lower(StringRef sourceHash) {
  holdsNoSave = loopsWithoutSaves(experiment);
  Location loc = experiment.getLoc();
  b.setInsertionPoint(experiment);
  Type i32Type = b.getI32Type();
  auto main = func::FuncOp::create(
      b, loc, "main", b.getFunctionType({i32Type, ptrType}, {i32Type}));
  // kiln-cpu-expose-entry-points leaves the host program alone.
  main->setAttr("kiln.host", b.getUnitAttr());
  Block *entry = main.addEntryBlock();
  b.setInsertionPointToStart(entry);
  run = call("kiln_run_create", ptrType,
             {main.getArgument(0), main.getArgument(1),
              string(experiment.getSymName()), string(sourceHash)});

  // Hyper-parameters in the order the program reads them (its source
  // order), then any it never reads.
  SmallVector<StringRef> order;
  experiment.walk([&](exp::HParamOp op) {
    if (!llvm::is_contained(order, op.getName()))
      order.push_back(op.getName());
  });
  for (NamedAttribute hparam : experiment.getHparams())
    if (!llvm::is_contained(order, hparam.getName().getValue()))
      order.push_back(hparam.getName().getValue());
  for (StringRef name : order) {
    Attribute value = experiment.getHparams().get(name);
    Value fixed = i32(experiment.isFixedHparam(name));
    Value index;
    if (isRunSeed(name)) {
      // The experiment's `seed` is the run's --seed, with its default.
      if (experiment.isFixedHparam(name))
        return experiment.emitOpError("hyper-parameter 'seed' is the run's "
                                      "--seed and cannot size tensors");
      callVoid("kiln_run_default_seed",
               {run, i64(cast<IntegerAttr>(value).getInt())});
      continue;
    }
    if (auto integer = dyn_cast<IntegerAttr>(value))
      index = call("kiln_run_declare_int", b.getI64Type(),
                   {run, string(name), i64(integer.getInt()), fixed});
    else if (auto number = dyn_cast<FloatAttr>(value))
      index = call("kiln_run_declare_float", b.getI64Type(),
                   {run, string(name), f64(number.getValueAsDouble()), fixed});
    else if (auto flag = dyn_cast<BoolAttr>(value))
      index = call("kiln_run_declare_bool", b.getI64Type(),
                   {run, string(name), i32(flag.getValue()), fixed});
    else
      index = call("kiln_run_declare_string", b.getI64Type(),
                   {run, string(name),
                    string(cast<StringAttr>(value).getValue()), fixed});
    hparamIndex[name] = hparamIndex.size();
    if (DictionaryAttr choices = experiment.getChoicesAttr())
      if (auto values = choices.getAs<ArrayAttr>(name))
        for (StringRef choice : values.getAsValueRange<StringAttr>())
          callVoid("kiln_run_declare_choice", {run, index, string(choice)});
    if (DictionaryAttr ranges = experiment.getRangesAttr())
      if (auto bounds = ranges.getAs<ArrayAttr>(name))
        callVoid("kiln_run_declare_range",
                 {run, index,
                  f64(cast<FloatAttr>(bounds[0]).getValueAsDouble()),
                  f64(cast<FloatAttr>(bounds[1]).getValueAsDouble())});
  }

  // --help and usage errors end the program here.
  Value status = call("kiln_run_start", i32Type, {run});
  Block *exit = main.addBlock();
  allocBlock = main.addBlock();
  Value stop =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, status, i32(0));
  cf::CondBranchOp::create(b, loc, stop, exit, ValueRange{}, allocBlock,
                           ValueRange{});
  b.setInsertionPointToStart(exit);
  func::ReturnOp::create(b, loc, status);

  // The body, after the buffers it needs.
  Block *body = main.addBlock();
  b.setInsertionPointToStart(allocBlock);
  cf::BranchOp::create(b, loc, body);
  b.setInsertionPointToStart(body);
  if (failed(lowerBlock(experiment.getBody().front())))
    return failure();
  func::ReturnOp::create(b, loc, call("kiln_run_finish", i32Type, {run}));
  experiment.erase();
  return success();
}

LogicalResult HostLowering::lowerBlock(Block &from) {
  for (Operation &op : from)
    if (failed(lowerOp(op)))
      return failure();
  return success();
}

LogicalResult HostLowering::lowerOp(Operation &op) {
  Location loc = op.getLoc();
  auto lookup = [&](Value v) { return mapping.lookup(v); };
  auto map = [&](Value from, Value to) { mapping.map(from, to); };
  auto ptrResult = [&](StringRef fn, ValueRange args) {
    map(op.getResult(0), call(fn, ptrType, args));
    return success();
  };

  return llvm::TypeSwitch<Operation *, LogicalResult>(&op)
      .Case([&](scf::ForOp op) { return lowerFor(op); })
      .Case([&](scf::IfOp op) { return lowerIf(op); })
      .Case([&](scf::YieldOp op) {
        SmallVector<Value> values;
        for (Value v : op.getOperands())
          values.push_back(lookup(v));
        scf::YieldOp::create(b, loc, values);
        return success();
      })
      .Case([&](exp::HParamOp op) {
        int64_t index = hparamIndex.lookup(op.getName());
        Type type = op.getType();
        Value value;
        if (isRunSeed(op.getName()))
          value = call("kiln_run_seed", type, {run});
        else if (type.isInteger(64))
          value = call("kiln_run_int", type, {run, i64(index)});
        else if (type.isF64())
          value = call("kiln_run_float", type, {run, i64(index)});
        else if (type.isInteger(1))
          value = arith::CmpIOp::create(
              b, loc, arith::CmpIPredicate::ne,
              call("kiln_run_bool", b.getI32Type(), {run, i64(index)}), i32(0));
        else
          value = call("kiln_run_string", ptrType, {run, i64(index)});
        map(op.getResult(), value);
        return success();
      })
      .Case([&](exp::StrConstantOp op) {
        map(op.getResult(), string(op.getValue()));
        return success();
      })
      .Case([&](exp::StrEqOp op) {
        Value equal = call("kiln_run_str_eq", b.getI32Type(),
                           {lookup(op.getLhs()), lookup(op.getRhs())});
        map(op.getResult(),
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, equal,
                                  i32(0)));
        return success();
      })
      .Case([&](exp::DatasetOp op) {
        Value dir = op.getPath() ? string(*op.getPath()) : nullPointer();
        return ptrResult("kiln_data_mnist", {run, string(op.getName()),
                                             string(op.getSplit()), dir});
      })
      .Case([&](exp::ShuffleOp op) {
        return ptrResult(
            "kiln_data_shuffle",
            {run, i64(site()), lookup(op.getInput()), lookup(op.getSeed())});
      })
      .Case([&](exp::TakeOp op) {
        return ptrResult(
            "kiln_data_take",
            {run, i64(site()), lookup(op.getInput()), lookup(op.getCount())});
      })
      .Case([&](exp::PermuteOp op) {
        auto type = cast<RankedTensorType>(op.getPermutation().getType());
        return ptrResult("kiln_data_permute",
                         {run, i64(site()), lookup(op.getInput()),
                          pointerTo(lookup(op.getPermutation())),
                          i64(type.getNumElements())});
      })
      .Case([&](exp::MixOp op) {
        Value first = lookup(op.getFirst()), second = lookup(op.getSecond());
        Value firstRows = call("kiln_data_rows", b.getI64Type(), {first});
        Value secondRows = call("kiln_data_rows", b.getI64Type(), {second});
        return ptrResult("kiln_data_mix", {run, i64(site()), first, firstRows,
                                           second, secondRows});
      })
      .Case([&](exp::BatchOp op) {
        return ptrResult("kiln_data_batch",
                         {run, i64(site()), lookup(op.getInput()),
                          lookup(op.getIndex()), i64(op.getSize())});
      })
      .Case([&](exp::NumBatchesOp op) {
        map(op.getResult(), call("kiln_data_num_batches", b.getI64Type(),
                                 {lookup(op.getInput()), i64(op.getSize())}));
        return success();
      })
      .Case([&](exp::PermutationOp op) {
        Value buffer = allocateFor(op.getType(), op);
        if (!buffer)
          return failure();
        callVoid("kiln_run_permutation",
                 {run, lookup(op.getSeed()), pointerTo(buffer),
                  i64(op.getType().getNumElements())});
        map(op.getResult(), buffer);
        return success();
      })
      .Case([&](exp::FieldOp op) { return lowerField(op); })
      .Case([&](exp::ParamsOp op) { return lowerParams(op); })
      .Case([&](exp::OptimizerOp op) { return lowerOptimizer(op); })
      .Case([&](exp::StepOp op) { return lowerStep(op); })
      .Case([&](exp::CallGraphOp op) { return lowerCallGraph(op); })
      .Case([&](exp::LogOp op) { return lowerLog(op); })
      .Case([&](exp::CheckpointOp op) {
        Value label = op.getLabel() ? string(*op.getLabel()) : nullPointer();
        callVoid("kiln_run_checkpoint", {run, label});
        return success();
      })
      .Case([&](exp::ReplayCreateOp op) {
        return ptrResult("kiln_replay_create",
                         {run, lookup(op.getCapacity()), string(op.getInsert()),
                          string(op.getSample())});
      })
      .Case([&](exp::ReplayAddOp op) {
        // A resumed run gets the buffer's contents from the checkpoint.
        whenLive([&] {
          callVoid("kiln_replay_add",
                   {run, lookup(op.getBuffer()), lookup(op.getRows()),
                    lookup(op.getTask())});
        });
        return success();
      })
      .Case([&](exp::ReplaySampleOp op) {
        return ptrResult("kiln_replay_sample",
                         {run, i64(site()), lookup(op.getBuffer()),
                          lookup(op.getCount()), lookup(op.getAlpha())});
      })
      .Case([&](tensor::ExtractOp op) -> LogicalResult {
        // An index out of range stops the run, naming the source.
        SmallVector<Value> indices;
        std::string where = sourceText(op.getLoc());
        for (auto [dim, index] : llvm::enumerate(op.getIndices())) {
          Value value = lookup(index);
          Value asInt =
              arith::IndexCastOp::create(b, loc, b.getI64Type(), value);
          callVoid("kiln_run_check_index",
                   {run, asInt, i64(op.getTensor().getType().getDimSize(dim)),
                    string(where)});
          indices.push_back(value);
        }
        map(op.getResult(),
            memref::LoadOp::create(b, loc, lookup(op.getTensor()), indices));
        return success();
      })
      .Case([&](tensor::FromElementsOp op) -> LogicalResult {
        // Host numbers as a tensor argument of a graph call.
        Value buffer = allocateFor(op.getType(), op);
        if (!buffer)
          return failure();
        ArrayRef<int64_t> shape = op.getType().getShape();
        for (auto [flat, element] : llvm::enumerate(op.getElements())) {
          SmallVector<Value> indices;
          int64_t rest = int64_t(flat);
          for (int64_t d = int64_t(shape.size()) - 1; d >= 0; --d) {
            indices.insert(indices.begin(), arith::ConstantIndexOp::create(
                                                b, loc, rest % shape[d]));
            rest /= shape[d];
          }
          memref::StoreOp::create(b, loc, lookup(element), buffer, indices);
        }
        map(op.getResult(), buffer);
        return success();
      })
      .Case([&](exp::SyntheticOp op) -> LogicalResult {
        // The integer and the real arguments, each through a buffer.
        auto argumentsPointer = [&](ValueRange args, Type element) {
          if (args.empty())
            return nullPointer();
          Value buffer =
              allocate(MemRefType::get({int64_t(args.size())}, element));
          for (auto [i, arg] : llvm::enumerate(args)) {
            Value index = arith::ConstantIndexOp::create(b, loc, i);
            memref::StoreOp::create(b, loc, lookup(arg), buffer, index);
          }
          return pointerTo(buffer);
        };
        return ptrResult("kiln_data_synthetic",
                         {run, string(op.getGenerator()),
                          argumentsPointer(op.getArgs(), b.getI64Type()),
                          i64(op.getArgs().size()),
                          argumentsPointer(op.getReals(), b.getF64Type()),
                          i64(op.getReals().size())});
      })
      .Default([&](Operation *op) -> LogicalResult {
        if (op->getNumRegions() != 0 ||
            op->getDialect() == experiment->getDialect())
          return op->emitOpError("cannot be lowered to the host program");
        for (Type type : op->getResultTypes())
          if (!hostType(type))
            return op->emitOpError("produces ")
                   << type << ", which the host program cannot hold";
        b.clone(*op, mapping);
        return success();
      });
}

LogicalResult HostLowering::lowerFor(scf::ForOp op) {
  for (Type type : op.getResultTypes())
    if (!hostType(type))
      return op.emitOpError("carries ")
             << type
             << " from one iteration to the next, which native builds do "
                "not support yet: only ints, floats, bools, strings, data "
                "sets and replay buffers";
  Location loc = op.getLoc();
  Value lower = mapping.lookup(op.getLowerBound()),
        upper = mapping.lookup(op.getUpperBound()),
        step = mapping.lookup(op.getStep());
  // The runtime follows every loop for the progress bar.
  int64_t loop = nextLoop++;
  Value span = arith::SubIOp::create(b, loc, upper, lower);
  Value trips = arith::MaxSIOp::create(
      b, loc, arith::CeilDivSIOp::create(b, loc, span, step), i64(0));
  if (!op.getInitArgs().empty() || holdsNoSave.contains(op))
    callVoid("kiln_run_loop_carries", {run, i64(loop)});
  // A resumed run starts loops where the checkpoint left them.
  Value first =
      call("kiln_run_loop_enter", b.getI64Type(), {run, i64(loop), trips});
  Value start = arith::AddIOp::create(
      b, loc, lower, arith::MulIOp::create(b, loc, first, step));
  SmallVector<Value> inits;
  for (Value v : op.getInitArgs())
    inits.push_back(mapping.lookup(v));
  auto lowered = scf::ForOp::create(b, loc, start, upper, step, inits);
  Block *body = lowered.getBody();
  if (!body->empty())
    body->getTerminator()->erase();
  mapping.map(op.getInductionVar(), lowered.getInductionVar());
  for (auto [from, to] :
       llvm::zip(op.getRegionIterArgs(), lowered.getRegionIterArgs()))
    mapping.map(from, to);
  // The host program is built by appending: after the loop, the builder
  // goes on at the end of the enclosing block.
  b.setInsertionPointToStart(body);
  Value index = arith::DivSIOp::create(
      b, loc, arith::SubIOp::create(b, loc, lowered.getInductionVar(), lower),
      step);
  callVoid("kiln_run_loop_iter", {run, i64(loop), index});
  if (failed(lowerBlock(*op.getBody())))
    return failure();
  b.setInsertionPointToEnd(lowered->getBlock());
  callVoid("kiln_run_loop_exit", {run, i64(loop)});
  for (auto [from, to] : llvm::zip(op.getResults(), lowered.getResults()))
    mapping.map(from, to);
  return success();
}

LogicalResult HostLowering::lowerIf(scf::IfOp op) {
  SmallVector<Type> types;
  for (Type type : op.getResultTypes()) {
    Type host = hostType(type);
    if (!host)
      return op.emitOpError("yields ")
             << type
             << ", which native builds do not support yet: only ints, "
                "floats, bools, strings, data sets and replay buffers";
    types.push_back(host);
  }
  auto lowered = scf::IfOp::create(
      b, op.getLoc(), types, mapping.lookup(op.getCondition()),
      /*withElseRegion=*/!op.getElseRegion().empty());
  for (auto [from, to] : llvm::zip(op->getRegions(), lowered->getRegions())) {
    if (from.empty())
      continue;
    Block *block = &to.front();
    if (!block->empty())
      block->getTerminator()->erase();
    b.setInsertionPointToEnd(block);
    if (failed(lowerBlock(from.front())))
      return failure();
  }
  b.setInsertionPointToEnd(lowered->getBlock());
  for (auto [from, to] : llvm::zip(op.getResults(), lowered.getResults()))
    mapping.map(from, to);
  return success();
}

//===----------------------------------------------------------------------===//
// Data, models and steps
//===----------------------------------------------------------------------===//

LogicalResult HostLowering::lowerField(exp::FieldOp op) {
  Value buffer = allocateFor(op.getType(), op);
  if (!buffer)
    return failure();
  Type element = op.getType().getElementType();
  StringRef fn = element.isF32()         ? "kiln_data_field_f32"
                 : element.isInteger(32) ? "kiln_data_field_i32"
                                         : "";
  if (fn.empty())
    return op.emitOpError("reads field '")
           << op.getName() << "' as " << element
           << "; the runtime provides f32 and i32 fields";
  callVoid(fn, {run, mapping.lookup(op.getInput()), string(op.getName()),
                pointerTo(buffer), i64(op.getType().getNumElements())});
  mapping.map(op.getResult(), buffer);
  return success();
}

/// Fan-in and fan-out of a weight used as x @ W: every dimension but the
/// last feeds each output.
static std::pair<int64_t, int64_t> fans(RankedTensorType type) {
  if (type.getRank() == 0)
    return {1, 1};
  int64_t out = type.getShape().back();
  int64_t in = type.getRank() == 1 ? out : type.getNumElements() / out;
  return {in, out};
}

LogicalResult HostLowering::lowerParams(exp::ParamsOp op) {
  ParamBuffers &buffers = paramsOf[op.getResult()];
  for (auto [nameAttr, typeAttr, initAttr] :
       llvm::zip(op.getNames(), op.getTypes(), op.getInits())) {
    StringRef name = cast<StringAttr>(nameAttr).getValue();
    auto type = cast<RankedTensorType>(cast<TypeAttr>(typeAttr).getValue());
    if (!type.getElementType().isF32())
      return op.emitOpError("parameter '")
             << name << "' is " << type
             << "; native builds initialize f32 parameters only";
    Value buffer = allocateFor(type, op);
    if (!buffer)
      return failure();
    auto init = cast<DictionaryAttr>(initAttr);
    StringRef kind = init.getAs<StringAttr>("kind").getValue();
    auto number = [&](StringRef key, double otherwise) {
      auto attr = init.getAs<FloatAttr>(key);
      return attr ? attr.getValueAsDouble() : otherwise;
    };
    // kiln_init_kind in runtime/include/kiln/program.h.
    int32_t code;
    double a = 0, b2 = 0;
    if (kind == "zeros")
      code = 0;
    else if (kind == "ones")
      code = 1;
    else if (kind == "normal")
      code = 2, a = number("mean", 0), b2 = number("std", 1);
    else if (kind == "uniform")
      code = 3, a = number("low", 0), b2 = number("high", 1);
    else if (kind == "glorot")
      code = 4;
    else if (kind == "kaiming")
      code = 5;
    else
      return op.emitOpError("unknown initializer '") << kind << "'";
    auto [fanIn, fanOut] = fans(type);
    callVoid("kiln_run_init_param",
             {run, string(name), i32(code), pointerTo(buffer),
              i64(type.getNumElements()), i64(fanIn), i64(fanOut), f64(a),
              f64(b2)});
    buffers.params.push_back(buffer);
    buffers.names.push_back(name);
  }
  return success();
}

LogicalResult HostLowering::lowerOptimizer(exp::OptimizerOp op) {
  auto params = paramsOf.find(op.getParams());
  if (params == paramsOf.end())
    return op.emitOpError("needs parameters from an 'exp.params'");
  OptimizerBuffers &buffers = optimizerOf[op.getResult()];
  buffers.params = params->second.params;
  int64_t index = nextOptimizer++;
  std::string prefix = "optimizer" + std::to_string(index) + ".";

  // The state is what the train steps of this optimizer take between the
  // parameters and the loss's arguments.
  exp::StepOp step;
  for (Operation *user : op.getResult().getUsers())
    if ((step = dyn_cast<exp::StepOp>(user)))
      break;
  if (step && !step.getTrainStep())
    return step.emitOpError("has no train step: run "
                            "--kiln-exp-build-train-steps first");
  auto registerState = [&](Value buffer, const std::string &name) {
    auto type = cast<MemRefType>(buffer.getType());
    int64_t bytes = type.getNumElements() * (type.getElementTypeBitWidth() / 8);
    callVoid("kiln_run_register_state",
             {run, string(name), pointerTo(buffer), i64(bytes)});
  };
  if (step) {
    size_t numParams = buffers.params.size();
    size_t numArgs = step.getArgs().size();
    auto trainStep = module.lookupSymbol<func::FuncOp>(*step.getTrainStep());
    TypeRange inputs = trainStep.getArgumentTypes();
    // After the data: the step count, the learning rate, and the dropout
    // key [seed, step] when the loss has dropout.
    size_t scalars = 2;
    if (trainStep.getArgAttr(inputs.size() - 1, "kiln.dropout_key")) {
      scalars = 3;
      buffers.dropoutKey = allocate(MemRefType::get({2}, b.getI64Type()));
      Value seed = call("kiln_run_seed", b.getI64Type(), {run});
      memref::StoreOp::create(
          b, op.getLoc(), seed, buffers.dropoutKey,
          ValueRange{arith::ConstantIndexOp::create(b, op.getLoc(), 0)});
    }
    TypeRange state =
        inputs.slice(numParams, inputs.size() - numParams - numArgs - scalars);
    for (auto [i, type] : llvm::enumerate(state)) {
      Value buffer = allocateFor(type, op);
      if (!buffer)
        return failure();
      registerState(buffer, prefix + "state" + std::to_string(i / numParams) +
                                "." +
                                params->second.names[i % numParams].str());
      buffers.state.push_back(buffer);
    }
  }
  auto scalar = MemRefType::get({}, b.getF32Type());
  buffers.counter = allocate(scalar);
  registerState(buffers.counter, prefix + "step");
  buffers.lr = allocate(scalar);
  Value lr = arith::TruncFOp::create(b, op.getLoc(), b.getF32Type(),
                                     mapping.lookup(op.getLr()));
  memref::StoreOp::create(b, op.getLoc(), lr, buffers.lr);
  return success();
}

LogicalResult HostLowering::lowerStep(exp::StepOp op) {
  auto optimizer = optimizerOf.find(op.getOptimizer());
  if (optimizer == optimizerOf.end())
    return op.emitOpError("needs an optimizer from an 'exp.optimizer'");
  if (!op.getTrainStep())
    return op.emitOpError(
        "has no train step: run --kiln-exp-build-train-steps first");
  const OptimizerBuffers &state = optimizer->second;
  Location loc = op.getLoc();
  Value loss = allocateFor(op.getLoss().getType(), op);
  if (!loss)
    return failure();
  if (!cast<MemRefType>(loss.getType()).getElementType().isF32())
    return op.emitOpError("needs an f32 loss in native builds");
  // A resumed run re-executes its way back to the checkpoint without steps.
  whenLive([&] {
    // The step number counts from 1.
    Value count = memref::LoadOp::create(b, loc, state.counter);
    Value one =
        arith::ConstantFloatOp::create(b, loc, b.getF32Type(), APFloat(1.0f));
    memref::StoreOp::create(b, loc, arith::AddFOp::create(b, loc, count, one),
                            state.counter);
    SmallVector<Value> buffers(state.params);
    llvm::append_range(buffers, state.state);
    for (Value arg : op.getArgs())
      buffers.push_back(mapping.lookup(arg));
    buffers.push_back(state.counter);
    buffers.push_back(state.lr);
    if (state.dropoutKey) {
      Value number = arith::FPToSIOp::create(
          b, loc, b.getI64Type(),
          memref::LoadOp::create(b, loc, state.counter));
      memref::StoreOp::create(
          b, loc, number, state.dropoutKey,
          ValueRange{arith::ConstantIndexOp::create(b, loc, 1)});
      buffers.push_back(state.dropoutKey);
    }
    buffers.push_back(loss);
    exp::InvokeOp::create(b, loc, *op.getTrainStep(), buffers);
    callVoid("kiln_run_step_done", {run, pointerTo(loss)});
  });
  mapping.map(op.getLoss(), loss);
  return success();
}

LogicalResult HostLowering::lowerCallGraph(exp::CallGraphOp op) {
  SmallVector<Value> buffers;
  if (op.getParams()) {
    auto params = paramsOf.find(op.getParams());
    if (params == paramsOf.end())
      return op.emitOpError("needs parameters from an 'exp.params'");
    buffers = params->second.params;
  }
  for (Value arg : op.getArgs())
    buffers.push_back(mapping.lookup(arg));
  for (Value result : op.getResults()) {
    Value buffer = allocateFor(result.getType(), op);
    if (!buffer)
      return failure();
    buffers.push_back(buffer);
    mapping.map(result, buffer);
  }
  exp::InvokeOp::create(b, op.getLoc(), op.getCallee(), buffers);
  return success();
}

LogicalResult HostLowering::lowerLog(exp::LogOp op) {
  Location loc = op.getLoc();
  for (Value hole : op.getHoles()) {
    Value value = mapping.lookup(hole);
    if (hole.getType().isInteger(64))
      callVoid("kiln_run_hole_int", {run, value});
    else
      callVoid("kiln_run_hole_str", {run, value});
  }
  for (auto [name, tag] : llvm::zip(
           op.getTagNames().getAsValueRange<StringAttr>(), op.getTags())) {
    Value value = mapping.lookup(tag);
    if (tag.getType().isInteger(64))
      callVoid("kiln_run_tag_int", {run, string(name), value});
    else
      callVoid("kiln_run_tag_str", {run, string(name), value});
  }
  Value value = mapping.lookup(op.getValue());
  Type type = op.getValue().getType();
  if (auto tensor = dyn_cast<RankedTensorType>(type)) {
    value = memref::LoadOp::create(b, loc, value);
    type = tensor.getElementType();
  }
  Value name = string(op.getName());
  if (type.isF32()) {
    callVoid("kiln_run_log_f32", {run, name, value});
  } else if (type.isF64()) {
    callVoid("kiln_run_log_f64", {run, name, value});
  } else if (auto integer = dyn_cast<IntegerType>(type)) {
    if (integer.getWidth() < 64)
      value = integer.getWidth() == 1
                  ? arith::ExtUIOp::create(b, loc, b.getI64Type(), value)
                        .getResult()
                  : arith::ExtSIOp::create(b, loc, b.getI64Type(), value)
                        .getResult();
    callVoid("kiln_run_log_i64", {run, name, value});
  } else if (isa<FloatType>(type)) {
    callVoid("kiln_run_log_f64",
             {run, name, arith::ExtFOp::create(b, loc, b.getF64Type(), value)});
  } else {
    return op.emitOpError("cannot log a value of type ") << type;
  }
  return success();
}

/// The identity of the program for config.json: a hash of its IR before
/// lowering, which covers the source and every size compiled into it.
std::string hashOf(ModuleOp module) {
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os, OpPrintingFlags().elideLargeElementsAttrs(0));
  std::array<uint8_t, 32> digest = llvm::SHA256::hash(llvm::ArrayRef<uint8_t>(
      reinterpret_cast<const uint8_t *>(text.data()), text.size()));
  return llvm::toHex(llvm::ArrayRef<uint8_t>(digest).take_front(16),
                     /*LowerCase=*/true);
}

struct LowerToRuntimePass
    : experiment::impl::LowerToRuntimeBase<LowerToRuntimePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<exp::ExperimentOp> experiments(
        module.getOps<exp::ExperimentOp>());
    exp::ExperimentOp chosen;
    for (exp::ExperimentOp e : experiments)
      if (experimentName.empty() ? experiments.size() == 1
                                 : e.getSymName() == experimentName)
        chosen = e;
    if (!chosen) {
      std::string names;
      for (exp::ExperimentOp e : experiments)
        names += (names.empty() ? "" : ", ") + e.getSymName().str();
      if (experiments.empty())
        module.emitError("the module has no experiment to build");
      else if (experimentName.empty())
        module.emitError("the module has several experiments (")
            << names << "): choose one";
      else
        module.emitError("no experiment '")
            << experimentName << "'; the module has " << names;
      return signalPassFailure();
    }
    std::string hash = sourceHash.empty() ? hashOf(module) : sourceHash;
    for (exp::ExperimentOp e : experiments)
      if (e != chosen)
        e.erase();
    if (failed(HostLowering(module, chosen).lower(hash)))
      return signalPassFailure();
  }
};

} // namespace
} // namespace kiln
