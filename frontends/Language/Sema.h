//===- Sema.h - Semantic analysis of .kiln programs -------------*- C++ -*-===//
//
// Resolves names, computes the type and shape of every expression and checks
// experiment statements, reporting each mistake at the column it was made.
// Functions are checked once, generically: their dimension symbols (`B`, a
// model argument `in`) stay symbolic, and each call unifies the signature
// with the argument shapes.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTENDS_LANGUAGE_SEMA_H
#define KILN_FRONTENDS_LANGUAGE_SEMA_H

#include "frontends/Language/AST.h"
#include "frontends/Language/Diagnostics.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringMap.h"

namespace kiln::lang {

/// Maps dimension symbols to what they stand for at one call.
using DimBindings = llvm::DenseMap<int64_t, int64_t>;

class Sema {
public:
  Sema(Program &program, DiagnosticEngine &diags)
      : program(program), diags(diags) {}

  /// Checks the whole program; returns false if any error was reported.
  bool check();

  const SymbolTable &getSymbols() const { return symbols; }
  /// The default of the hyper-parameter a symbol stands for, if any.
  std::optional<int64_t> symbolDefault(int64_t symbol) const;
  /// The two row counts a `mix` symbol adds up, if `symbol` is one.
  std::optional<std::pair<int64_t, int64_t>> symbolSum(int64_t symbol) const;

private:
  struct Local {
    Type type;
    const Node *decl = nullptr;
    bool isVar = false;
  };

  // Declarations (Sema.cpp).
  /// Free functions and model functions, in source order.
  std::vector<FnDecl *> allFunctions() const;
  void collectGlobals();
  void checkConst(ConstDecl *decl);
  void declareModelArgs(ModelDecl *model);
  void checkModelMembers(ModelDecl *model);
  void checkModelCycles();
  void checkRecursion();
  void checkFnSignature(FnDecl *fn);
  void checkFnBody(FnDecl *fn);
  void checkExperiment(ExperimentDecl *exp);
  /// `hyperParam`: an experiment's hyper-parameter, which may have a range.
  Type resolveType(const TypeExpr &type, bool allowNewSymbols,
                   bool hyperParam = false);
  std::optional<int64_t> resolveDim(Expr *dim, bool allowNewSymbols);

  // Scopes.
  void pushScope() { scopes.emplace_back(); }
  void popScope() { scopes.pop_back(); }
  void declareLocal(llvm::StringRef name, llvm::SMRange range, Local local);
  Local *lookupLocal(llvm::StringRef name);

  // Expressions (SemaExpr.cpp).
  Type checkExpr(Expr *e);
  Type checkName(Name *e);
  Type checkIndex(Index *e);
  Type checkMember(Member *e);
  Type checkUnary(Unary *e);
  Type checkBinary(Binary *e);
  Type checkConditional(Conditional *e);
  Type checkCall(Call *e);
  Type checkUserCall(Call *call, const FnDecl *fn, const Type *self);
  Type checkLayerCall(Call *call, const Type &layer);
  Type checkModelInstance(Call *call, const ModelDecl *model);
  Type memberOfModel(const Type &model, llvm::StringRef name,
                     llvm::SMRange range, bool forCall);
  Type elementwise(llvm::SMLoc opLoc, llvm::ArrayRef<const Expr *> operands,
                   llvm::StringRef what);
  /// A host number (`2`, `lr`) as a tensor operand: a weak scalar.
  static Type asTensor(const Type &t);

  // Builtins (SemaBuiltins.cpp, SemaExperiment.cpp).
  std::optional<Type> checkTensorBuiltin(Call *call, llvm::StringRef name);
  std::optional<Type> checkHostBuiltin(Call *call, llvm::StringRef name);
  Type checkMethod(Call *call, Member *callee);
  /// Binds call arguments to parameter names; null for an omitted optional.
  bool bindArgs(Call *call, llvm::StringRef callee,
                llvm::ArrayRef<llvm::StringRef> params, unsigned required,
                llvm::SmallVectorImpl<Expr *> &out);
  /// The compile-time value of an int expression: a static size or a symbol.
  /// Other int expressions get a fresh symbol named after their source text.
  int64_t dimOf(const Expr *e);
  /// first + second: a symbol that symbolSum() resolves unless both are
  /// static.
  int64_t addDims(int64_t first, int64_t second);
  std::optional<int64_t> constInt(const Expr *e, const llvm::Twine &what);
  bool constIntList(const Expr *e, const llvm::Twine &what,
                    llvm::SmallVectorImpl<int64_t> &out);
  bool expectKind(const Expr *e, TypeKind kind, const llvm::Twine &what);
  bool expectNumber(const Expr *e, const llvm::Twine &what);
  bool expectFloatTensor(const Expr *e, const llvm::Twine &what);
  Type datasetType(int64_t count, std::vector<DatasetInfo::Field> fields);

  // Experiments (SemaExperiment.cpp).
  void checkBlock(Block &block);
  void checkStmt(Stmt *s);
  void checkFor(ForStmt *s);
  void checkLog(LogStmt *s);
  void checkMetricName(StrLit *metric);

  // Reporting.
  std::string str(const Type &t) const { return symbols.formatType(t); }
  std::string str(llvm::ArrayRef<int64_t> shape) const {
    return symbols.formatShape(shape);
  }
  Shape substitute(llvm::ArrayRef<int64_t> shape,
                   const DimBindings &bindings) const;
  Type substitute(const Type &type, const DimBindings &bindings) const;

  Program &program;
  DiagnosticEngine &diags;
  SymbolTable symbols;
  llvm::StringMap<Decl *> globals;
  llvm::StringMap<int64_t> constInts;
  llvm::DenseMap<int64_t, int64_t> hyperDefaults;
  /// Row counts of `mix` results that are not known numbers: a + b.
  llvm::DenseMap<int64_t, std::pair<int64_t, int64_t>> sums;
  std::vector<llvm::StringMap<Local>> scopes;
  /// Where the checker is.
  const ModelDecl *currentModel = nullptr;
  const FnDecl *currentFn = nullptr;
  bool inExperiment = false;
  /// Dimension symbols of the signature being checked (`B`).
  llvm::StringMap<int64_t> *fnDims = nullptr;
  llvm::DenseMap<const FnDecl *, llvm::StringMap<int64_t>> fnDimSymbols;
  /// The user functions each function calls, in source order.
  llvm::DenseMap<const FnDecl *, llvm::SetVector<const FnDecl *>> calls;
};

} // namespace kiln::lang

#endif // KILN_FRONTENDS_LANGUAGE_SEMA_H
