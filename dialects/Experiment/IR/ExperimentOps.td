//===- ExperimentOps.td - Kiln experiment dialect ops ------*- tablegen -*-===//
//
// Every op but `exp.experiment` lives inside one (`InExperiment`), possibly
// nested in scf loops and branches. Host values are `i64`, `f64`, `i1` and
// `!exp.str`; dataset row counts and batch sizes that shape tensors are
// attributes fixed at emission, the rest are run-time values.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_EXPERIMENT_OPS
#define KILN_EXPERIMENT_OPS

include "dialects/Experiment/IR/ExperimentDialect.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// Verifies that the op is nested in an `exp.experiment`.
def InExperiment : NativeOpTrait<"InExperiment"> {
  let cppNamespace = "::kiln::exp";
}

class Exp_Op<string mnemonic, list<Trait> traits = []>
    : Op<Exp_Dialect, mnemonic, !listconcat([InExperiment], traits)>;

def Exp_HostValue : AnyTypeOf<[I64, F64, I1, Exp_StrType]>;
def Exp_TagValue : AnyTypeOf<[I64, Exp_StrType]>;

//===----------------------------------------------------------------------===//
// Experiments and hyper-parameters
//===----------------------------------------------------------------------===//

def Exp_ExperimentOp : Op<Exp_Dialect, "experiment",
    [Symbol, IsolatedFromAbove, SingleBlock, NoTerminator]> {
  let summary = "an experiment: its hyper-parameters and host program";
  let description = [{
    `hparams` maps each hyper-parameter to its default, whose type is the
    hyper-parameter's: `i64`, `f64`, `i1` (a bool) or a string. `choices`
    restricts string hyper-parameters to a few values, `ranges` int and
    float ones to `[low, high]` (two f64, either may be infinite). The built binary can
    override every default (`--lr 3e-4`) but those in `fixed`: the
    hyper-parameters compiled into the program because they size tensors or
    set a schedule (`kilnc build --set batch=128` changes them).
    ```mlir
    exp.experiment @run hparams {lr = 1.0e-03 : f64, policy = "a"}
        choices {policy = ["a", "b"]}
        ranges {lr = [0.0 : f64, 1.0 : f64]} {
      %lr = exp.hparam "lr" : f64
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name, DictionaryAttr:$hparams,
                   OptionalAttr<DictionaryAttr>:$choices,
                   OptionalAttr<DictionaryAttr>:$ranges,
                   OptionalAttr<StrArrayAttr>:$fixed);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$sym_name `hparams` $hparams (`choices` $choices^)? "
                       "(`ranges` $ranges^)? (`fixed` $fixed^)? "
                       "attr-dict-with-keyword $body";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Records that hyper-parameter `name` is compiled into the program.
    void addFixedHparam(::llvm::StringRef name);
    bool isFixedHparam(::llvm::StringRef name);
  }];
}

def Exp_HParamOp : Exp_Op<"hparam", [Pure]> {
  let summary = "reads a hyper-parameter of the enclosing experiment";
  let description = [{
    ```mlir
    %lr = exp.hparam "lr" : f64
    ```
  }];
  let arguments = (ins StrAttr:$name);
  let results = (outs Exp_HostValue:$value);
  let assemblyFormat = "$name attr-dict `:` type($value)";
  let hasVerifier = 1;
}

def Exp_StrConstantOp : Exp_Op<"str_constant", [Pure]> {
  let summary = "a string constant";
  let description = [{
    ```mlir
    %none = exp.str_constant "none"
    ```
  }];
  let arguments = (ins StrAttr:$value);
  let results = (outs Exp_StrType:$result);
  let assemblyFormat = "$value attr-dict";
}

def Exp_StrEqOp : Exp_Op<"str_eq", [Pure, Commutative]> {
  let summary = "whether two strings are equal";
  let description = [{
    ```mlir
    %same = exp.str_eq %policy, %none
    ```
  }];
  let arguments = (ins Exp_StrType:$lhs, Exp_StrType:$rhs);
  let results = (outs I1:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict";
}

//===----------------------------------------------------------------------===//
// Data
//===----------------------------------------------------------------------===//

def Exp_DatasetOp : Exp_Op<"dataset"> {
  let summary = "a dataset read from disk";
  let description = [{
    `fashion_mnist` or `mnist`, split `train` or `test`: `x: f32[784]` in
    [0, 1] and `y: i32`. `path` overrides the default directory.
    ```mlir
    %train = exp.dataset "fashion_mnist" split "train"
    ```
  }];
  let arguments = (ins StrAttr:$name, StrAttr:$split,
                   OptionalAttr<StrAttr>:$path);
  let results = (outs Exp_DatasetType:$result);
  let assemblyFormat = "$name `split` $split (`path` $path^)? attr-dict";
  let hasVerifier = 1;
}

def Exp_SyntheticOp : Exp_Op<"synthetic", [AttrSizedOperandSegments]> {
  let summary = "a synthetic dataset drawn from a seeded generator";
  let description = [{
    Integer arguments in parentheses, real ones after `reals`:

    - `gaussian_classes(count, classes, dim, task_seed, seed)`:
      `x: f32[dim]` around one of `classes` means drawn from N(0, I) by
      `task_seed`, labelled `y: i32` by it; rows drawn by `seed`.
    - `induction_tokens(count, length, vocab, seed)`: sequences `x` whose
      first half repeats in the second; `y` is `x` shifted by one.
    - `icl_classification(count, classes, dim, labels, context, burstiness,
      mode, task_seed, seed) reals(zipf, noise)`: contexts of exemplars
      `x: f32[context, dim]` with `labels: i32[context]`, a `query:
      f32[dim]` and its label `y: i32`; mode 0 trains, 1 holds
      two novel classes, 2 leaves the query's class out of the context.
    - `icl_regression(count, dim, points, tasks, task_seed, seed)
      reals(noise)`: `x: f32[points, dim]`, `y: f32[points]`, `w: f32[dim]`.

    ```mlir
    %d = exp.synthetic "induction_tokens"(%count, %length, %vocab, %seed)
    %r = exp.synthetic "icl_regression"(%n, %d, %p, %t, %s, %s) reals(%noise)
    ```
  }];
  let arguments = (ins StrAttr:$generator, Variadic<I64>:$args,
                       Variadic<F64>:$reals);
  let results = (outs Exp_DatasetType:$result);
  let assemblyFormat = [{
    $generator `(` $args `)` (`reals` `(` $reals^ `)`)? attr-dict
  }];
  let hasVerifier = 1;
}

def Exp_PermutationOp : Exp_Op<"permutation"> {
  let summary = "a seeded permutation of 0..size-1";
  let description = [{
    ```mlir
    %p = exp.permutation seed %s : tensor<784xi32>
    ```
  }];
  let arguments = (ins I64:$seed);
  let results = (outs RankedTensorOf<[I32]>:$result);
  let assemblyFormat = "`seed` $seed attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Exp_ShuffleOp : Exp_Op<"shuffle"> {
  let summary = "the rows of a dataset in a seeded order";
  let description = [{
    ```mlir
    %s = exp.shuffle %train seed %seed
    ```
  }];
  let arguments = (ins Exp_DatasetType:$input, I64:$seed);
  let results = (outs Exp_DatasetType:$result);
  let assemblyFormat = "$input `seed` $seed attr-dict";
}

def Exp_TakeOp : Exp_Op<"take"> {
  let summary = "the first `count` rows of a dataset";
  let description = [{
    ```mlir
    %few = exp.take %train count %n
    ```
  }];
  let arguments = (ins Exp_DatasetType:$input, I64:$count);
  let results = (outs Exp_DatasetType:$result);
  let assemblyFormat = "$input `count` $count attr-dict";
}

def Exp_PermuteOp : Exp_Op<"permute"> {
  let summary = "reorders the features of the field `x` of every row";
  let description = [{
    ```mlir
    %d = exp.permute %train by %p : tensor<784xi32>
    ```
  }];
  let arguments = (ins Exp_DatasetType:$input,
                   RankedTensorOf<[I32]>:$permutation);
  let results = (outs Exp_DatasetType:$result);
  let assemblyFormat =
      "$input `by` $permutation attr-dict `:` type($permutation)";
  let hasVerifier = 1;
}

def Exp_MixOp : Exp_Op<"mix"> {
  let summary = "the rows of one dataset followed by those of another";
  let description = [{
    Both have the same fields; a batch of current data with a batch drawn
    from a replay buffer, say.
    ```mlir
    %both = exp.mix %batch, %replayed
    ```
  }];
  let arguments = (ins Exp_DatasetType:$first, Exp_DatasetType:$second);
  let results = (outs Exp_DatasetType:$result);
  let assemblyFormat = "$first `,` $second attr-dict";
}

def Exp_NumBatchesOp : Exp_Op<"num_batches"> {
  let summary = "how many full batches of `size` rows a dataset holds";
  let description = [{
    ```mlir
    %n = exp.num_batches %train size 64
    ```
  }];
  let arguments = (ins Exp_DatasetType:$input, I64Attr:$size);
  let results = (outs I64:$result);
  let assemblyFormat = "$input `size` $size attr-dict";
  let hasVerifier = 1;
}

def Exp_BatchOp : Exp_Op<"batch"> {
  let summary = "batch `index` of `size` rows of a dataset";
  let description = [{
    ```mlir
    %b = exp.batch %train[%i] size 64
    ```
  }];
  let arguments = (ins Exp_DatasetType:$input, I64:$index, I64Attr:$size);
  let results = (outs Exp_DatasetType:$result);
  let assemblyFormat = "$input `[` $index `]` `size` $size attr-dict";
  let hasVerifier = 1;
}

def Exp_FieldOp : Exp_Op<"field"> {
  let summary = "a field of every row of a dataset, as one tensor";
  let description = [{
    The leading dimension is the number of rows.
    ```mlir
    %x = exp.field %b "x" : tensor<64x784xf32>
    ```
  }];
  let arguments = (ins Exp_DatasetType:$input, StrAttr:$name);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input $name attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Models and optimizers
//===----------------------------------------------------------------------===//

def Exp_ParamsOp : Exp_Op<"params"> {
  let summary = "creates and initializes the parameters of a model";
  let description = [{
    One entry per parameter, depth-first in declaration order, with the
    names that graph functions give their `kiln.param` arguments. An
    initializer is a dictionary: `{kind = "zeros" | "ones" | "glorot" |
    "kaiming"}`, `{kind = "normal", std, mean}` or
    `{kind = "uniform", low, high}`.
    ```mlir
    %net = exp.params "Linear" names ["w", "b"]
        types [tensor<784x10xf32>, tensor<10xf32>]
        inits [{kind = "glorot"}, {kind = "zeros"}}] # "]" # [{
    ```
  }];
  let arguments = (ins StrAttr:$model, StrArrayAttr:$names,
                   TypeArrayAttr:$types, DictArrayAttr:$inits);
  let results = (outs Exp_ParamsType:$result);
  let assemblyFormat = "$model `names` $names `types` $types `inits` $inits "
                       "attr-dict";
  let hasVerifier = 1;
}

def Exp_OptimizerOp : Exp_Op<"optimizer"> {
  let summary = "an optimizer of a model's parameters, with its state";
  let description = [{
    `kind` is `sgd` (attributes `momentum`, `nesterov`, a bool, and
    `weight_decay`), `adam` (`beta1`, `beta2`, `eps`, `weight_decay`) or
    `adamw` (the same, with decoupled weight decay); unset attributes take
    PyTorch's defaults. The learning rate `lr` is constant, or the start of a
    schedule: `cosine(steps, warmup)`, `linear(end, steps)` or
    `step_decay(every, factor)`.
    ```mlir
    %opt = exp.optimizer "adamw" %net lr %lr schedule "cosine"(%steps, %warmup : i64, i64)
        {weight_decay = 1.000000e-02 : f64}
    ```
  }];
  let arguments = (ins StrAttr:$kind, Exp_ParamsType:$params, F64:$lr,
                   OptionalAttr<StrAttr>:$schedule,
                   Variadic<AnyTypeOf<[I64, F64]>>:$schedule_args);
  let results = (outs Exp_OptimizerType:$result);
  let assemblyFormat = "$kind $params `lr` $lr (`schedule` $schedule^ `(` "
                       "$schedule_args `:` type($schedule_args) `)`)? "
                       "attr-dict";
  let hasVerifier = 1;
}

class Exp_GraphCallOp<string mnemonic, list<Trait> traits = []>
    : Exp_Op<mnemonic,
             !listconcat([DeclareOpInterfaceMethods<SymbolUserOpInterface>],
                         traits)>;

def Exp_StepOp : Exp_GraphCallOp<"step"> {
  let summary = "one optimizer step on the loss computed by a graph function";
  let description = [{
    `callee` is a graph function whose leading arguments are the model's
    parameters (`kiln.param`) and whose first result is the scalar loss;
    `args` are its other arguments. `--kiln-exp-build-train-steps` builds
    the step function `train_step`: `graph.value_and_grad` of the callee
    with respect to the parameters, then the optimizer's update. It takes
    the parameters, the optimizer's state, `args`, the step number (a
    `tensor<f32>`, 1 for the first step) and the base learning rate (a
    `tensor<f32>`), and returns the loss, the new parameters and the new
    state. Yields the loss.
    ```mlir
    %loss = exp.step @Net.loss(%x, %y) params %net optimizer %opt
        train_step @Net.loss.train_step
        : (tensor<64x784xf32>, tensor<64xi32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$callee,
                   Variadic<AnyRankedTensor>:$args, Exp_ParamsType:$params,
                   Exp_OptimizerType:$optimizer,
                   OptionalAttr<FlatSymbolRefAttr>:$train_step);
  let results = (outs AnyRankedTensor:$loss);
  let assemblyFormat = "$callee `(` $args `)` `params` $params `optimizer` "
                       "$optimizer (`train_step` $train_step^)? attr-dict "
                       "`:` functional-type($args, results)";
}

def Exp_CallGraphOp
    : Exp_GraphCallOp<"call_graph", [AttrSizedOperandSegments]> {
  let summary = "calls a graph function, for evaluation";
  let description = [{
    A callee with `kiln.param` arguments takes them from `params`.
    ```mlir
    %logits = exp.call_graph @Net.forward(%x) params %net
        : (tensor<64x784xf32>) -> tensor<64x10xf32>
    %acc = exp.call_graph @accuracy(%logits, %y)
        : (tensor<64x10xf32>, tensor<64xi32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$callee,
                   Variadic<AnyRankedTensor>:$args,
                   Optional<Exp_ParamsType>:$params);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = "$callee `(` $args `)` (`params` $params^)? attr-dict "
                       "`:` functional-type($args, results)";
}

//===----------------------------------------------------------------------===//
// Metrics and checkpoints
//===----------------------------------------------------------------------===//

def Exp_LogOp : Exp_Op<"log", [AttrSizedOperandSegments]> {
  let summary = "records a named metric";
  let description = [{
    `holes` fill the `{name}` holes of the metric name, in order; tags are
    named ints or strings recorded with the value.
    ```mlir
    exp.log "acc/task{j}"(%acc : tensor<f32>) holes(%j : i64) tags ["task"](%t : i64)
    ```
  }];
  let arguments = (ins StrAttr:$name, AnyType:$value,
                   Variadic<Exp_TagValue>:$holes,
                   DefaultValuedAttr<StrArrayAttr, "{}">:$tag_names,
                   Variadic<Exp_TagValue>:$tags);
  let assemblyFormat = "$name `(` $value `:` type($value) `)` "
                       "(`holes` `(` $holes^ `:` type($holes) `)`)? "
                       "(`tags` $tag_names `(` $tags^ `:` type($tags) `)`)? "
                       "attr-dict";
  let hasVerifier = 1;
}

def Exp_CheckpointOp : Exp_Op<"checkpoint"> {
  let summary = "saves model, optimizer, data and RNG state";
  let description = [{
    ```mlir
    exp.checkpoint "after-task"
    exp.checkpoint
    ```
  }];
  let arguments = (ins OptionalAttr<StrAttr>:$label);
  let assemblyFormat = "($label^)? attr-dict";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Replay buffers
//===----------------------------------------------------------------------===//

def Exp_ReplayCreateOp : Exp_Op<"replay.create"> {
  let summary = "a replay buffer of rows with the given fields";
  let description = [{
    `fields` maps each field to the tensor type of one row. `insert` is
    `append` (a FIFO ring: the newest rows once full), `reservoir` (each row
    offered kept with equal probability), `class_balanced` (a reservoir per
    class of `y`, equal quotas) or `task_episodic` (equal quotas per task);
    `sample` is `uniform` over rows or `recency`, which draws a task with
    probability proportional to (blocks since it was last added or drawn)
    ^ -alpha, then a row of it; `recency_exponential` weighs it
    exp(-alpha * blocks) instead.
    ```mlir
    %m = exp.replay.create capacity %cap fields {x = tensor<784xf32>, y = tensor<i32>}
        insert "append" sample "recency"
    ```
  }];
  let arguments = (ins I64:$capacity, DictionaryAttr:$fields,
                   StrAttr:$insert, StrAttr:$sample);
  let results = (outs Exp_ReplayType:$result);
  let assemblyFormat = "`capacity` $capacity `fields` $fields `insert` $insert "
                       "`sample` $sample attr-dict";
  let hasVerifier = 1;
}

def Exp_ReplayAddOp : Exp_Op<"replay.add"> {
  let summary = "stores the rows of a dataset, labelled with a task";
  let description = [{
    ```mlir
    exp.replay.add %m, %rows task %t
    ```
  }];
  let arguments = (ins Exp_ReplayType:$buffer, Exp_DatasetType:$rows,
                   I64:$task);
  let assemblyFormat = "$buffer `,` $rows `task` $task attr-dict";
}

def Exp_ReplaySampleOp : Exp_Op<"replay.sample"> {
  let summary = "draws `count` stored rows under the buffer's policy";
  let description = [{
    ```mlir
    %r = exp.replay.sample %m count %n alpha %a
    ```
  }];
  let arguments = (ins Exp_ReplayType:$buffer, I64:$count, F64:$alpha);
  let results = (outs Exp_DatasetType:$result);
  let assemblyFormat = "$buffer `count` $count `alpha` $alpha attr-dict";
}

//===----------------------------------------------------------------------===//
// The lowered host program
//===----------------------------------------------------------------------===//

def Exp_InvokeOp : Op<Exp_Dialect, "invoke",
    [DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "calls a graph function on buffers, across bufferization";
  let description = [{
    The host program's call of a graph function once
    `--kiln-exp-lower-to-runtime` has turned the experiment into a function
    on buffers, while the graph functions are still on tensors. The operands
    are the callee's arguments, then one buffer for each result that does
    not update an argument in place (`kiln.updates`): the callee's signature
    once bufferized with its results as out-parameters. The callee may be on
    tensors or already bufferized; `--kiln-exp-resolve-invokes` turns the
    op into a `func.call` after bufferization.
    ```mlir
    exp.invoke @Net.forward(%w, %x, %logits)
        : memref<784x10xf32>, memref<64x784xf32>, memref<64x10xf32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$callee,
                   Arg<Variadic<AnyStaticShapeMemRef>, "",
                       [MemRead, MemWrite]>:$buffers);
  let assemblyFormat =
      "$callee `(` $buffers `)` attr-dict (`:` type($buffers)^)?";
  let extraClassDeclaration = [{
    /// The buffer types the callee takes once bufferized, or failure after
    /// reporting why the callee cannot be invoked on buffers.
    ::mlir::FailureOr<::llvm::SmallVector<::mlir::Type>>
    bufferizedSignature(::mlir::func::FuncOp callee);
  }];
}

#endif // KILN_EXPERIMENT_OPS
