//===- EmitGraph.cpp - Root functions, signatures and model instances -----===//
//
// The roots are the experiments' calls of user functions, in source order.
// Each root is specialized to the sizes at its call: the experiment's
// hyper-parameter symbols (`batch`) take their defaults, or the sizes given
// in GraphEmitOptions, and the function's own symbols (`B`) are unified with
// the argument shapes. Calls with the same function and signature share one
// func.func.
//
//===----------------------------------------------------------------------===//

#include "frontends/Emit/GraphEmitter.h"

#include "dialects/Graph/IR/GraphDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"

#include "llvm/ADT/StringExtras.h"

namespace kiln::lang {

using llvm::SMLoc;
using llvm::StringRef;

const ModelInstance *ModelInstance::layer(StringRef name) const {
  auto it =
      layers.find(llvm::dyn_cast_or_null<LayerDecl>(decl->findMember(name)));
  return it == layers.end() ? nullptr : it->second.get();
}

GraphEmitter::GraphEmitter(mlir::MLIRContext &context, const Sema &sema,
                           DiagnosticEngine &diags,
                           const GraphEmitOptions &options)
    : context(context), sema(sema), diags(diags), options(options),
      builder(&context) {}

mlir::OwningOpRef<mlir::ModuleOp> GraphEmitter::emit(const Program &program) {
  mlir::OwningOpRef<mlir::ModuleOp> owned =
      mlir::ModuleOp::create(builder.getUnknownLoc());
  module = *owned;
  for (const Decl *d : program.decls)
    if (const auto *experiment = llvm::dyn_cast<ExperimentDecl>(d))
      visitBlock(experiment->body);
  if (failed)
    return nullptr;
  return owned;
}

//===----------------------------------------------------------------------===//
// Roots
//===----------------------------------------------------------------------===//

void GraphEmitter::visitBlock(const Block &block) {
  for (const Stmt *s : block) {
    if (const auto *let = llvm::dyn_cast<LetStmt>(s))
      visitExpr(let->value);
    else if (const auto *assign = llvm::dyn_cast<AssignStmt>(s))
      visitExpr(assign->value);
    else if (const auto *expr = llvm::dyn_cast<ExprStmt>(s))
      visitExpr(expr->expr);
    else if (const auto *loop = llvm::dyn_cast<ForStmt>(s)) {
      visitExpr(loop->iterable);
      visitBlock(loop->body);
    } else if (const auto *branch = llvm::dyn_cast<IfStmt>(s)) {
      visitExpr(branch->cond);
      visitBlock(branch->thenBody);
      visitBlock(branch->elseBody);
    } else if (const auto *minimize = llvm::dyn_cast<MinimizeStmt>(s)) {
      visitExpr(minimize->loss);
      visitExpr(minimize->optimizer);
    } else if (const auto *log = llvm::dyn_cast<LogStmt>(s)) {
      visitExpr(log->value);
      for (const Argument &tag : log->tags)
        visitExpr(tag.value);
    }
  }
}

void GraphEmitter::visitExpr(const Expr *e) {
  if (const auto *call = llvm::dyn_cast<Call>(e)) {
    // Arguments first, in evaluation order.
    visitExpr(call->callee);
    for (const Argument &arg : call->args)
      visitExpr(arg.value);
    if (call->fn)
      emitRoot(call);
  } else if (const auto *member = llvm::dyn_cast<Member>(e)) {
    visitExpr(member->base);
  } else if (const auto *unary = llvm::dyn_cast<Unary>(e)) {
    visitExpr(unary->operand);
  } else if (const auto *binary = llvm::dyn_cast<Binary>(e)) {
    visitExpr(binary->lhs);
    visitExpr(binary->rhs);
  } else if (const auto *cond = llvm::dyn_cast<Conditional>(e)) {
    visitExpr(cond->cond);
    visitExpr(cond->onTrue);
    visitExpr(cond->onFalse);
  } else if (const auto *range = llvm::dyn_cast<RangeExpr>(e)) {
    visitExpr(range->lo);
    visitExpr(range->hi);
  } else if (const auto *index = llvm::dyn_cast<Index>(e)) {
    visitExpr(index->base);
    for (const Expr *i : index->indices)
      visitExpr(i);
  } else if (const auto *list = llvm::dyn_cast<ListExpr>(e)) {
    for (const Expr *element : list->elements)
      visitExpr(element);
  }
}

std::optional<Type> GraphEmitter::rootModel(const Call *call) {
  const Type *base = nullptr;
  StringRef layerName;
  if (const auto *member = llvm::dyn_cast<Member>(call->callee)) {
    base = &member->base->type;
    if (base->model &&
        !llvm::isa_and_nonnull<FnDecl>(base->model->findMember(member->name)))
      layerName = member->name; // `net.mlp(x)`
  } else if (const auto *let = llvm::dyn_cast_or_null<LetStmt>(
                 llvm::cast<Name>(call->callee)->decl)) {
    base = &let->value->type; // `net(x)`
  }
  if (!base || base->kind != TypeKind::Model)
    return std::nullopt;
  if (layerName.empty())
    return *base;
  // A layer of the model: its sizes, in terms of the model's arguments.
  const auto *layer =
      llvm::dyn_cast<LayerDecl>(base->model->findMember(layerName));
  DimBindings outer;
  for (auto [formal, actual] : llvm::zip(base->model->argDims, base->modelDims))
    if (isSymbol(formal))
      outer[formal] = actual;
  Type t = layer->resolved;
  for (int64_t &dim : t.modelDims)
    if (auto it = outer.find(dim); it != outer.end())
      dim = it->second;
  return t;
}

void GraphEmitter::emitRoot(const Call *call) {
  dropoutSites = 0;
  const FnDecl *fn = call->fn;
  std::optional<Type> self;
  llvm::SmallVector<int64_t> sizes;
  if (fn->owner) {
    self = rootModel(call);
    if (!self) {
      error(call->loc(), "kilnc cannot tell which model '" + fn->owner->name +
                             "' this call of '" + fn->name + "' runs in");
      return;
    }
    for (auto [formal, actual] :
         llvm::zip(self->model->argDims, self->modelDims)) {
      std::optional<int64_t> s = isSymbol(formal) ? size(actual) : 0;
      if (!s) {
        error(call->loc(), "a size of model '" + fn->owner->name +
                               "' is not known at compile time");
        return;
      }
      sizes.push_back(*s);
    }
  }

  // The argument types, in the experiment's sizes.
  llvm::SmallVector<mlir::Type> argTypes;
  for (auto [arg, param] : llvm::zip(call->args, fn->params)) {
    if (!param->resolved.isTensor()) {
      error(param->loc(), "kilnc emits functions of tensors only; argument '" +
                              param->name + "' is " +
                              sema.getSymbols().formatType(param->resolved));
      return;
    }
    Type t = arg.value->type;
    if (!t.isTensor())
      t = Type::tensor(param->resolved.dtype, {});
    mlir::RankedTensorType type = tensorType(t, arg.value->loc());
    if (!type)
      return;
    argTypes.push_back(type);
  }

  std::string base =
      fn->owner ? (fn->owner->name + "." + fn->name).str() : fn->name.str();
  std::string key;
  llvm::raw_string_ostream os(key);
  os << base;
  for (int64_t s : sizes)
    os << ',' << s;
  for (mlir::Type t : argTypes)
    os << ',' << t;
  if (auto it = emitted.find(key); it != emitted.end()) {
    rootNames[call] = it->second;
    return;
  }
  unsigned uses = nameUses[base]++;
  std::string name = uses ? base + "_" + std::to_string(uses) : base;
  emitted[key] = name;
  rootNames[call] = name;

  std::vector<ParamSlot> slots;
  std::unique_ptr<ModelInstance> instance;
  if (fn->owner)
    instance = instantiate(self->model, sizes, "", slots);
  if (failed)
    return;

  Frame root;
  root.self = instance.get();
  if (instance)
    root.dims = instance->dims;
  for (auto [param, type] : llvm::zip(fn->params, argTypes))
    unify(param->resolved, llvm::cast<mlir::RankedTensorType>(type), root.dims);
  frame = &root;
  mlir::RankedTensorType resultType =
      tensorType(fn->resultType, fn->result.range.Start);
  if (!resultType) {
    frame = nullptr;
    return;
  }

  llvm::SmallVector<mlir::Type> inputs;
  for (const ParamSlot &slot : slots)
    inputs.push_back(slot.type);
  inputs.append(argTypes.begin(), argTypes.end());
  builder.setInsertionPointToEnd(module.getBody());
  auto func =
      mlir::func::FuncOp::create(builder, loc(fn->nameRange.Start), name,
                                 builder.getFunctionType(inputs, resultType));
  entry = func.addEntryBlock();
  for (auto [i, slot] : llvm::enumerate(slots)) {
    func.setArgAttr(i, "kiln.param", builder.getStringAttr(slot.name));
    entry->getArgument(i).setLoc(loc(slot.decl->nameRange.Start));
  }
  for (auto [i, param] : llvm::enumerate(fn->params)) {
    unsigned index = slots.size() + i;
    func.setArgAttr(index, "kiln.arg", builder.getStringAttr(param->name));
    entry->getArgument(index).setLoc(loc(param->nameRange.Start));
    root.locals[param->name] = entry->getArgument(index);
  }
  builder.setInsertionPointToStart(entry);
  mlir::Value result = emitBody(fn);
  if (result)
    mlir::func::ReturnOp::create(builder, loc(fn->body.back()->loc()), result);
  else
    func.erase();
  frame = nullptr;
  entry = nullptr;
}

mlir::func::FuncOp GraphEmitter::emitLifted(const Call *call, StringRef name,
                                            llvm::ArrayRef<const Expr *> leaves,
                                            mlir::TypeRange types) {
  unsigned uses = nameUses[name]++;
  std::string symbol =
      uses ? (name + "_" + llvm::Twine(uses)).str() : name.str();
  mlir::RankedTensorType resultType = tensorType(call->type, call->loc());
  if (!resultType)
    return nullptr;
  builder.setInsertionPointToEnd(module.getBody());
  auto func =
      mlir::func::FuncOp::create(builder, loc(call->loc()), symbol,
                                 builder.getFunctionType(types, resultType));
  Frame root;
  entry = func.addEntryBlock();
  for (auto [leaf, arg] : llvm::zip(leaves, entry->getArguments())) {
    arg.setLoc(loc(leaf->loc()));
    root.bound[leaf] = arg;
  }
  frame = &root;
  builder.setInsertionPointToStart(entry);
  mlir::Value result = emitExpr(call);
  frame = nullptr;
  entry = nullptr;
  if (!result) {
    func.erase();
    return nullptr;
  }
  mlir::func::ReturnOp::create(builder, loc(call->loc()), result);
  return func;
}

std::unique_ptr<ModelInstance>
GraphEmitter::instantiate(const ModelDecl *model, llvm::ArrayRef<int64_t> sizes,
                          const std::string &prefix,
                          std::vector<ParamSlot> &slots) {
  auto instance = std::make_unique<ModelInstance>();
  instance->decl = model;
  for (auto [formal, s] : llvm::zip(model->argDims, sizes))
    if (isSymbol(formal))
      instance->dims[formal] = s;
  Frame scope;
  scope.dims = instance->dims;
  Frame *outer = std::exchange(frame, &scope);
  for (const Decl *member : model->members) {
    if (const auto *param = llvm::dyn_cast<ParamDecl>(member)) {
      instance->params[param] = slots.size();
      slots.push_back({prefix + param->name.str(),
                       tensorType(param->resolved, param->loc()), param});
    } else if (const auto *layer = llvm::dyn_cast<LayerDecl>(member)) {
      llvm::SmallVector<int64_t> layerSizes;
      for (int64_t dim : layer->resolved.modelDims)
        layerSizes.push_back(size(dim).value_or(0));
      instance->layers[layer] =
          instantiate(layer->resolved.model, layerSizes,
                      prefix + layer->name.str() + ".", slots);
    }
  }
  frame = outer;
  return instance;
}

void GraphEmitter::unify(const Type &formal, mlir::RankedTensorType actual,
                         DimBindings &dims) {
  for (auto [want, got] : llvm::zip(formal.shape, actual.getShape()))
    if (isSymbol(want))
      dims.try_emplace(want, got);
}

//===----------------------------------------------------------------------===//
// Types, locations, errors
//===----------------------------------------------------------------------===//

std::optional<int64_t> GraphEmitter::size(int64_t dim) const {
  if (!isSymbol(dim))
    return dim;
  if (frame) {
    auto it = frame->dims.find(dim);
    if (it != frame->dims.end())
      return it->second;
  }
  if (auto sum = sema.symbolSum(dim)) {
    std::optional<int64_t> first = size(sum->first), second = size(sum->second);
    if (!first || !second)
      return std::nullopt;
    return *first + *second;
  }
  llvm::StringRef name = sema.getSymbols().name(dim);
  std::optional<int64_t> value = sema.symbolDefault(dim);
  if (auto it = options.sizes.find(name); it != options.sizes.end())
    value = it->second;
  else if (auto text = options.hparams.find(name);
           text != options.hparams.end()) {
    int64_t parsed;
    if (!llvm::to_integer(text->second, parsed))
      return std::nullopt; // the experiment emitter reports the bad value
    value = parsed;
  }
  if (value)
    specialized.insert(dim);
  return value;
}

mlir::Type GraphEmitter::elementType(DType dtype) const {
  switch (dtype) {
  case DType::F32:
    return mlir::Float32Type::get(&context);
  case DType::F64:
    return mlir::Float64Type::get(&context);
  case DType::I32:
    return mlir::IntegerType::get(&context, 32);
  case DType::I64:
    return mlir::IntegerType::get(&context, 64);
  case DType::I1:
    return mlir::IntegerType::get(&context, 1);
  case DType::U8:
    return nullptr; // the graph dialect has signless integers
  }
  return nullptr;
}

mlir::RankedTensorType GraphEmitter::tensorType(const Type &type, SMLoc where) {
  const SymbolTable &symbols = sema.getSymbols();
  if (!type.isTensor()) {
    error(where,
          "kilnc emits tensor values only, found " + symbols.formatType(type));
    return nullptr;
  }
  llvm::SmallVector<int64_t> shape;
  for (int64_t dim : type.shape) {
    std::optional<int64_t> s = size(dim);
    if (!s) {
      StringRef name = symbols.name(dim);
      error(where, "the size '" + name + "' of " + symbols.formatType(type) +
                       " is not known at compile time; give it a default or "
                       "set it with --dim " +
                       name + "=SIZE");
      return nullptr;
    }
    shape.push_back(*s);
  }
  mlir::Type element = elementType(type.dtype);
  if (!element) {
    error(where, "kilnc cannot emit " + dtypeName(type.dtype) +
                     " tensors into the graph dialect yet");
    return nullptr;
  }
  return mlir::RankedTensorType::get(shape, element);
}

mlir::Location GraphEmitter::loc(SMLoc where) const {
  llvm::SourceMgr &sourceMgr = diags.getSourceMgr();
  unsigned buffer = sourceMgr.FindBufferContainingLoc(where);
  auto [line, column] = sourceMgr.getLineAndColumn(where, buffer);
  mlir::Location at = mlir::FileLineColLoc::get(
      &context, sourceMgr.getMemoryBuffer(buffer)->getBufferIdentifier(), line,
      column);
  if (frame && frame->callSite)
    return mlir::CallSiteLoc::get(at, mlir::Location(frame->callSite));
  return at;
}

void GraphEmitter::error(SMLoc where, const llvm::Twine &message) {
  diags.error(where, message);
  failed = true;
}

mlir::OwningOpRef<mlir::ModuleOp>
emitGraph(mlir::MLIRContext &context, const Program &program, const Sema &sema,
          DiagnosticEngine &diags, const GraphEmitOptions &options) {
  context.loadDialect<graph::GraphDialect, mlir::func::FuncDialect>();
  mlir::OwningOpRef<mlir::ModuleOp> module =
      GraphEmitter(context, sema, diags, options).emit(program);
  if (module && mlir::failed(mlir::verify(*module)))
    return nullptr;
  return module;
}

} // namespace kiln::lang
