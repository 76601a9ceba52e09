//===- GraphEmitter.h - State of graph emission -----------------*- C++ -*-===//
//
// Each experiment call of a user function becomes a root func.func. Calls
// inside it (other functions, layers) are inlined: their bodies are emitted
// again with the callee's bindings, and their ops are located at the callee's
// source, called from the call site (a CallSiteLoc), as MLIR's inliner would.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_EMIT_GRAPHEMITTER_H
#define KILN_FRONTENDS_EMIT_GRAPHEMITTER_H

#include "frontends/Emit/EmitGraph.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

#include "llvm/ADT/DenseSet.h"

#include <memory>

namespace kiln::lang {

/// A model with fixed sizes; its parameters are arguments of the function
/// being emitted, its layers are nested instances.
struct ModelInstance {
  const ModelDecl *decl = nullptr;
  /// The model's int-argument symbols -> sizes.
  DimBindings dims;
  /// Each parameter -> its function argument.
  llvm::DenseMap<const ParamDecl *, unsigned> params;
  llvm::DenseMap<const LayerDecl *, std::unique_ptr<ModelInstance>> layers;

  const ModelInstance *layer(llvm::StringRef name) const;
};

/// One function body being emitted: at the root or inlined at a call.
struct Frame {
  const ModelInstance *self = nullptr;
  /// Dimension symbols of the function and its model -> sizes.
  DimBindings dims;
  llvm::StringMap<mlir::Value> locals;
  /// Where the body was inlined; null at the root.
  mlir::LocationAttr callSite;
  /// Expressions of the caller that are arguments of a lifted function.
  llvm::DenseMap<const Expr *, mlir::Value> bound;
};

class GraphEmitter {
public:
  GraphEmitter(mlir::MLIRContext &context, const Sema &sema,
               DiagnosticEngine &diags, const GraphEmitOptions &options);

  mlir::OwningOpRef<mlir::ModuleOp> emit(const Program &program);

  /// The function emitted for an experiment's call of a user function.
  llvm::StringRef rootName(const Call *call) const {
    return rootNames.find(call)->second;
  }
  /// Emits a function `@name` computing `call`, a tensor builtin of an
  /// experiment, from the values of `leaves`, its tensor subexpressions that
  /// the experiment computes. Returns the function, or null.
  mlir::func::FuncOp emitLifted(const Call *call, llvm::StringRef name,
                                llvm::ArrayRef<const Expr *> leaves,
                                mlir::TypeRange types);

  struct ParamSlot {
    std::string name;
    mlir::RankedTensorType type;
    const ParamDecl *decl;
  };
  std::unique_ptr<ModelInstance> instantiate(const ModelDecl *model,
                                             llvm::ArrayRef<int64_t> sizes,
                                             const std::string &prefix,
                                             std::vector<ParamSlot> &slots);

  // Types and locations.
  /// The size of `dim`: a number, a symbol bound in the current frame, or a
  /// hyper-parameter symbol, which is then recorded as specialized.
  std::optional<int64_t> size(int64_t dim) const;
  const GraphEmitOptions &getOptions() const { return options; }
  /// The hyper-parameters whose values sized something emitted so far.
  bool isSpecialized(int64_t dim) const { return specialized.contains(dim); }
  mlir::RankedTensorType tensorType(const Type &type, llvm::SMLoc where);
  mlir::Location loc(llvm::SMLoc where) const;

private:
  // Roots and signatures (EmitGraph.cpp).
  void visitBlock(const Block &block);
  void visitExpr(const Expr *e);
  void emitRoot(const Call *call);
  /// The model a root call runs in, with sizes in the experiment's symbols.
  std::optional<Type> rootModel(const Call *call);
  /// Binds the symbols of `formal` to the sizes of `actual`.
  static void unify(const Type &formal, mlir::RankedTensorType actual,
                    DimBindings &dims);

  mlir::Type elementType(DType dtype) const;
  void error(llvm::SMLoc where, const llvm::Twine &message);

  // Function bodies and expressions (EmitExpr.cpp).
  mlir::Value emitBody(const FnDecl *fn);
  mlir::Value emitExpr(const Expr *e);
  /// `e` as a tensor of `dtype`: host numbers become constants, weak scalars
  /// are converted.
  mlir::Value emitTensor(const Expr *e, DType dtype);
  mlir::Value emitConstant(const Expr *e, DType dtype);
  std::optional<double> evalHost(const Expr *e);
  mlir::Value emitName(const Name *e);
  mlir::Value emitParam(const ModelInstance *instance, const ParamDecl *param,
                        const Expr *use);
  mlir::Value emitMember(const Member *e);
  mlir::Value emitUnary(const Unary *e);
  mlir::Value emitBinary(const Binary *e);
  mlir::Value emitUserCall(const Call *call);
  /// The instance a model-valued expression (`l1`, `mlp.l1`) denotes.
  const ModelInstance *instanceOf(const Expr *e);
  const ModelInstance *calleeInstance(const Call *call);

  // Builtins (EmitBuiltins.cpp).
  mlir::Value emitBuiltin(const Call *call, llvm::StringRef name);

  mlir::MLIRContext &context;
  const Sema &sema;
  DiagnosticEngine &diags;
  const GraphEmitOptions &options;
  /// Hyper-parameter symbols (one per experiment's declaration).
  mutable llvm::DenseSet<int64_t> specialized;
  mlir::OpBuilder builder;
  mlir::ModuleOp module;
  /// Root functions emitted so far, by name and signature.
  llvm::StringMap<std::string> emitted;
  llvm::DenseMap<const Call *, std::string> rootNames;
  llvm::StringMap<unsigned> nameUses;
  /// The root function's arguments, and the body being emitted.
  mlir::Block *entry = nullptr;
  Frame *frame = nullptr;
  bool failed = false;
  /// The dropout call sites of the root function being emitted: each gets
  /// its own mask (graph.dropout's `site`).
  int64_t dropoutSites = 0;
};

/// A call's arguments in the order of `params`, null where an optional one
/// is omitted; named arguments go to their parameter. Sema has already
/// matched them against the same names.
llvm::SmallVector<const Expr *, 6>
bindArguments(const Call *call, llvm::ArrayRef<llvm::StringRef> params);

} // namespace kiln::lang

#endif // KILN_FRONTENDS_EMIT_GRAPHEMITTER_H
