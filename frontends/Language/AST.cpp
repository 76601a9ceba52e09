//===- AST.cpp - Syntax tree of a .kiln program ---------------------------===//

#include "frontends/Language/AST.h"

#include "llvm/Support/ErrorHandling.h"

namespace kiln::lang {

llvm::StringRef spelling(BinaryOp op) {
  switch (op) {
  case BinaryOp::Or:
    return "or";
  case BinaryOp::And:
    return "and";
  case BinaryOp::Eq:
    return "==";
  case BinaryOp::Ne:
    return "!=";
  case BinaryOp::Lt:
    return "<";
  case BinaryOp::Le:
    return "<=";
  case BinaryOp::Gt:
    return ">";
  case BinaryOp::Ge:
    return ">=";
  case BinaryOp::Add:
    return "+";
  case BinaryOp::Sub:
    return "-";
  case BinaryOp::Mul:
    return "*";
  case BinaryOp::Div:
    return "/";
  case BinaryOp::Mod:
    return "%";
  case BinaryOp::MatMul:
    return "@";
  }
  llvm_unreachable("unknown binary operator");
}

const Decl *ModelDecl::findMember(llvm::StringRef memberName) const {
  for (const Decl *d : members)
    if (d->name == memberName)
      return d;
  return nullptr;
}

} // namespace kiln::lang
