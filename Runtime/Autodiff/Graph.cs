using System;
using System.Collections.Generic;
using System.Globalization;

namespace Cortex.Autodiff;

/// <summary>
/// A computational graph over double-precision scalars, vectors and matrices (row-major), recorded
/// as a tape (a Wengert list): every op is evaluated the moment it is recorded, so a node's value —
/// and its tangent, when variables were given tangents — is ready immediately (forward mode, dual
/// numbers). <see cref="Backward(Node)"/> runs reverse mode: one sweep gives ∂y/∂v for every node.
/// </summary>
/// <remarks>
/// <para>The engine is Cortex's independent oracle: its local-derivative rules (<c>Rules</c>) are written
/// here, from the notes, and nothing in this namespace reads the kernels, layers or brains it checks
/// (Cortex.Diagnostics.GradientCheck compares them with it). Keep it that way: a derivative shared
/// with the code under test could not catch that code's mistakes.</para>
/// <para>Order: a node is recorded after its inputs, so tape order is a topological order. The
/// backward sweep is one loop down the tape that marks what the output reaches — no recursion, so
/// chains of any length work.</para>
/// <para>Second backward: <see cref="Backward(Node)"/> first clears every adjoint on the graph, then
/// sweeps. Calling it twice gives the same gradients (nothing is counted twice); calling it for a
/// different output replaces the gradients with that output's. To sum gradients of several outputs,
/// differentiate their sum.</para>
/// <para>Kinks follow fixed conventions: ReLU'(0) = 0; binary step' = 0 everywhere; |x|'(0) = 0;
/// leaky ReLU'(0) = 1; ELU'(0) = α; max (and row max) routes the whole gradient to the first
/// argument on a tie, so a hinge written max(0, z) has subgradient 0 at z = 0.</para>
/// <para>A graph is not thread-safe; build one per thread. It keeps every node it recorded, so
/// build a fresh graph per evaluation (the <see cref="Derivatives"/> helpers and the gradient checks do).</para>
/// <para>Single precision: the graph computes in double; <see cref="Matrix.FromSingle"/>,
/// <see cref="Matrix.CopyTo(Span{float})"/> and <see cref="Node.CopyGradientsTo"/> convert at the edges.</para>
/// </remarks>
public sealed class Graph
{
    private readonly List<Node> _nodes = new();

    /// <summary>Number of nodes recorded so far (variables and constants included).</summary>
    public int NodeCount => _nodes.Count;

    /// <summary>How many op nodes have been evaluated forward (one per recorded op; leaves not counted).</summary>
    public long ForwardEvaluations { get; private set; }

    /// <summary>How many op nodes have had their backward rule run, over all backward passes.</summary>
    public long BackwardEvaluations { get; private set; }

    /// <summary>How many backward passes have run.</summary>
    public int BackwardPasses { get; private set; }

    internal IReadOnlyList<Node> Nodes => _nodes;

    // ---- Leaves ----------------------------------------------------------------------------

    /// <summary>A scalar variable: an input that gradients are taken with respect to.</summary>
    /// <param name="value">Its value.</param>
    /// <param name="tangent">Its tangent ẋ for forward mode (the direction of the directional derivative).</param>
    /// <param name="name">A name for traces, e.g. "x1".</param>
    public Node Variable(double value, double tangent = 0, string? name = null) =>
        Variable(Matrix.Scalar(value), Matrix.Scalar(tangent), name);

    /// <summary>A variable of any shape: an input that gradients are taken with respect to.</summary>
    /// <param name="value">Its values; copied.</param>
    /// <param name="tangent">Its tangents for forward mode, same shape; null for zeros.</param>
    /// <param name="name">A name for traces, e.g. "w".</param>
    /// <exception cref="ArgumentException">The tangent's shape differs from the value's.</exception>
    public Node Variable(Matrix value, Matrix? tangent = null, string? name = null)
    {
        if (value is null)
        {
            throw new ArgumentNullException(nameof(value));
        }
        if (tangent is not null && tangent.Shape != value.Shape)
        {
            throw new ArgumentException(
                Format("variable: tangent {0} does not match value {1}", tangent.Shape, value.Shape), nameof(tangent));
        }
        Node node = Record(Op.Variable, value.Shape, 0, name);
        for (int i = 0; i < node.Data.Length; i++)
        {
            node.Data[i] = new Dual(value[i], tangent is null ? 0 : tangent[i]);
        }
        return node;
    }

    /// <summary>A scalar constant: no gradient flows into it.</summary>
    /// <param name="value">Its value.</param>
    public Node Constant(double value) => Constant(Matrix.Scalar(value));

    /// <summary>A constant of any shape: no gradient flows into it.</summary>
    /// <param name="value">Its values; copied.</param>
    public Node Constant(Matrix value)
    {
        if (value is null)
        {
            throw new ArgumentNullException(nameof(value));
        }
        Node node = Record(Op.Constant, value.Shape, 0, null);
        for (int i = 0; i < node.Data.Length; i++)
        {
            node.Data[i] = value[i];
        }
        return node;
    }

    // ---- Element-wise binary (broadcasting: each dimension equal, or 1 on one side) ----------

    /// <summary>left + right, element-wise; a dimension of 1 broadcasts (row-vector bias, scalar, column).</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public Node Add(Node left, Node right) => Binary(Op.Add, "add", left, right);

    /// <summary>left − right, element-wise, broadcasting as <see cref="Add"/>.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public Node Sub(Node left, Node right) => Binary(Op.Sub, "sub", left, right);

    /// <summary>left × right, element-wise (Hadamard), broadcasting as <see cref="Add"/>.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public Node Mul(Node left, Node right) => Binary(Op.Mul, "mul", left, right);

    /// <summary>left / right, element-wise, broadcasting as <see cref="Add"/>.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public Node Div(Node left, Node right) => Binary(Op.Div, "div", left, right);

    /// <summary>max(left, right), element-wise, broadcasting as <see cref="Add"/>. The gradient goes to the larger; on a tie, to left.</summary>
    /// <param name="left">Left operand (wins ties).</param>
    /// <param name="right">Right operand.</param>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public Node Max(Node left, Node right) => Binary(Op.Max, "max", left, right);

    /// <summary>left ^ right, element-wise, broadcasting as <see cref="Add"/>. ∂/∂right = y·ln(left) needs left &gt; 0.</summary>
    /// <param name="left">Base.</param>
    /// <param name="right">Exponent.</param>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public Node Pow(Node left, Node right) => Binary(Op.Pow, "pow", left, right);

    // ---- Element-wise unary ------------------------------------------------------------------

    /// <summary>x ^ p for a constant exponent p; derivative p·x^(p−1).</summary>
    /// <param name="x">Base.</param>
    /// <param name="exponent">The constant exponent p.</param>
    public Node Pow(Node x, double exponent) => Unary(Op.PowConst, "pow", x, exponent);

    /// <summary>−x.</summary>
    /// <param name="x">Operand.</param>
    public Node Neg(Node x) => Unary(Op.Neg, "neg", x);

    /// <summary>eˣ.</summary>
    /// <param name="x">Operand.</param>
    public Node Exp(Node x) => Unary(Op.Exp, "exp", x);

    /// <summary>ln x, the natural logarithm; derivative 1/x.</summary>
    /// <param name="x">Operand.</param>
    public Node Log(Node x) => Unary(Op.Log, "log", x);

    /// <summary>sin x.</summary>
    /// <param name="x">Operand, in radians.</param>
    public Node Sin(Node x) => Unary(Op.Sin, "sin", x);

    /// <summary>cos x.</summary>
    /// <param name="x">Operand, in radians.</param>
    public Node Cos(Node x) => Unary(Op.Cos, "cos", x);

    /// <summary>tanh x; derivative 1 − tanh²x.</summary>
    /// <param name="x">Operand.</param>
    public Node Tanh(Node x) => Unary(Op.Tanh, "tanh", x);

    /// <summary>σ(x) = 1 / (1 + e⁻ˣ), computed stably; derivative σ(x)(1 − σ(x)).</summary>
    /// <param name="x">Operand.</param>
    public Node Sigmoid(Node x) => Unary(Op.Sigmoid, "sigmoid", x);

    /// <summary>ln(1 + eˣ), computed stably; derivative σ(x).</summary>
    /// <param name="x">Operand.</param>
    public Node Softplus(Node x) => Unary(Op.Softplus, "softplus", x);

    /// <summary>max(x, 0); derivative 1 for x &gt; 0, else 0 (ReLU'(0) = 0).</summary>
    /// <param name="x">Operand.</param>
    public Node Relu(Node x) => Unary(Op.Relu, "relu", x);

    /// <summary>x for x ≥ 0, αx below; derivative 1 for x ≥ 0 (so 1 at 0), α below.</summary>
    /// <param name="x">Operand.</param>
    /// <param name="alpha">Slope below zero.</param>
    public Node LeakyRelu(Node x, double alpha = 0.01) => Unary(Op.LeakyRelu, "leaky relu", x, alpha);

    /// <summary>x for x &gt; 0, α(eˣ − 1) for x ≤ 0; derivative 1 for x &gt; 0, αeˣ for x ≤ 0 (so α at 0).</summary>
    /// <param name="x">Operand.</param>
    /// <param name="alpha">Scale of the negative part.</param>
    public Node Elu(Node x, double alpha = 1) => Unary(Op.Elu, "elu", x, alpha);

    /// <summary>0 for x &lt; 0, 1 for x ≥ 0; derivative 0 everywhere (by convention, also at 0).</summary>
    /// <param name="x">Operand.</param>
    public Node BinaryStep(Node x) => Unary(Op.BinaryStep, "binary step", x);

    /// <summary>|x|; derivative sign(x), with subgradient 0 at 0.</summary>
    /// <param name="x">Operand.</param>
    public Node Abs(Node x) => Unary(Op.Abs, "abs", x);

    // ---- Structural --------------------------------------------------------------------------

    /// <summary>Matrix product: left (m, k) · right (k, n) = (m, n).</summary>
    /// <param name="left">Left factor (m, k).</param>
    /// <param name="right">Right factor (k, n).</param>
    /// <exception cref="ArgumentException">The inner dimensions differ.</exception>
    public Node MatMul(Node left, Node right)
    {
        Check(left, "matmul", nameof(left));
        Check(right, "matmul", nameof(right));
        if (left.Cols != right.Rows)
        {
            throw new ArgumentException(Format("matmul: left {0} and right {1} do not fit", left.Shape, right.Shape), nameof(right));
        }
        return Record(Op.MatMul, new Shape(left.Rows, right.Cols), 0, null, left, right);
    }

    /// <summary>Transpose: (m, n) → (n, m).</summary>
    /// <param name="x">Operand.</param>
    public Node Transpose(Node x)
    {
        Check(x, "transpose", nameof(x));
        return Record(Op.Transpose, new Shape(x.Cols, x.Rows), 0, null, x);
    }

    /// <summary>The same elements in row-major order, seen as (rows, cols).</summary>
    /// <param name="x">Operand.</param>
    /// <param name="rows">New number of rows.</param>
    /// <param name="cols">New number of columns.</param>
    /// <exception cref="ArgumentException">rows × cols differs from the element count.</exception>
    public Node Reshape(Node x, int rows, int cols)
    {
        Check(x, "reshape", nameof(x));
        if (rows < 1 || cols < 1 || (long)rows * cols != x.Length)
        {
            throw new ArgumentException(
                Format("reshape: {0} cannot become ({1}, {2})", x.Shape, rows, cols), nameof(rows));
        }
        return Record(Op.Reshape, new Shape(rows, cols), 0, null, x);
    }

    /// <summary>Sum of all elements, (1, 1). Its backward copies ȳ to every element.</summary>
    /// <param name="x">Operand.</param>
    public Node Sum(Node x) => Reduce(Op.Sum, "sum", x);

    /// <summary>One sum per row: (m, n) → (m, 1).</summary>
    /// <param name="x">Operand.</param>
    public Node RowSums(Node x) => Reduce(Op.RowSums, "row sums", x);

    /// <summary>One sum per column: (m, n) → (1, n) — e.g. a bias gradient from a batch.</summary>
    /// <param name="x">Operand.</param>
    public Node ColumnSums(Node x) => Reduce(Op.ColumnSums, "column sums", x);

    /// <summary>One maximum per row: (m, n) → (m, 1); the gradient goes to the first largest element of each row.</summary>
    /// <param name="x">Operand.</param>
    public Node RowMaxes(Node x) => Reduce(Op.RowMaxes, "row maxes", x);

    // ---- Composed ----------------------------------------------------------------------------

    /// <summary>Mean of all elements, (1, 1): Σx · (1/n).</summary>
    /// <param name="x">Operand.</param>
    public Node Mean(Node x)
    {
        Node sum = Sum(x);
        return Mul(sum, Constant(1.0 / x.Length));
    }

    /// <summary>x², element-wise: x × x.</summary>
    /// <param name="x">Operand.</param>
    public Node Square(Node x) => Mul(x, x);

    /// <summary>Softmax of each row: exp(x − max) / Σ exp(x − max); rows are distributions.</summary>
    /// <param name="x">Logits (m, n).</param>
    public Node Softmax(Node x)
    {
        Node e = Exp(Sub(x, RowMaxes(x)));
        return Div(e, RowSums(e));
    }

    /// <summary>Log-softmax of each row, computed stably: (x − max) − ln Σ exp(x − max).</summary>
    /// <param name="x">Logits (m, n).</param>
    public Node LogSoftmax(Node x)
    {
        Node shifted = Sub(x, RowMaxes(x));
        return Sub(shifted, Log(RowSums(Exp(shifted))));
    }

    // ---- Reverse mode ------------------------------------------------------------------------

    /// <summary>
    /// Reverse mode for a scalar output: clears every adjoint on the graph, sets ȳ = 1 and sweeps the
    /// tape backwards once. Afterwards each node's <see cref="Node.Gradient"/> is ∂y/∂v (0 where y
    /// does not depend on it) and, when variables carry tangents v, <see cref="Node.GradientTangent"/>
    /// is (∇²y·v). Calling it again recomputes the same values; it never adds to a previous pass.
    /// </summary>
    /// <param name="output">The scalar to differentiate.</param>
    /// <exception cref="ArgumentException"><paramref name="output"/> is not (1, 1) or belongs to another graph.</exception>
    public void Backward(Node output) => Backward(output, null, null);

    /// <summary>
    /// Reverse mode with a seed ȳ of the output's shape: a vector-Jacobian product. Afterwards each
    /// node's gradients are ȳᵀ·∂y/∂v. Clears previous adjoints first, like <see cref="Backward(Node)"/>.
    /// </summary>
    /// <param name="output">The node to differentiate.</param>
    /// <param name="seed">ȳ, the output's adjoint; same shape as <paramref name="output"/>.</param>
    /// <exception cref="ArgumentException">The seed's shape differs, or the output belongs to another graph.</exception>
    public void Backward(Node output, Matrix seed)
    {
        if (seed is null)
        {
            throw new ArgumentNullException(nameof(seed));
        }
        Backward(output, seed, null);
    }

    /// <summary>Validates, then sweeps; a null seed means ȳ = 1 for a scalar output.</summary>
    internal void Backward(Node output, Matrix? seed, List<AdjointStep>? steps)
    {
        Check(output, "backward", nameof(output));
        if (seed is null && !output.Shape.IsScalar)
        {
            throw new ArgumentException(
                Format("backward: output {0} is not a scalar; pass a seed of shape {0}", output.Shape), nameof(output));
        }
        if (seed is not null && seed.Shape != output.Shape)
        {
            throw new ArgumentException(
                Format("backward: seed {0} does not match output {1}", seed.Shape, output.Shape), nameof(seed));
        }
        Sweep(output, seed, steps);
    }

    /// <summary>The backward sweep; when <paramref name="steps"/> is given, records each adjoint contribution (for traces).</summary>
    private void Sweep(Node output, Matrix? seed, List<AdjointStep>? steps)
    {
        foreach (Node node in _nodes)
        {
            node.Adjoint = null;
        }
        Dual[] start = output.AdjointBuffer();
        for (int i = 0; i < start.Length; i++)
        {
            start[i] = seed is null ? 1 : seed[i];
        }
        BackwardPasses++;

        var reached = new bool[output.Id + 1];
        reached[output.Id] = true;
        for (int id = output.Id; id >= 0; id--)
        {
            Node node = _nodes[id];
            if (!reached[id] || node.Inputs.Length == 0 || !node.RequiresGradient || node.Adjoint is null)
            {
                continue;
            }
            Dual[]?[]? before = steps is null ? null : Snapshot(node.Inputs);
            foreach (Node input in node.Inputs)
            {
                reached[input.Id] |= input.RequiresGradient;
            }
            Rules.Run(node, backward: true);
            BackwardEvaluations++;
            if (steps is not null)
            {
                AdjointStep.Record(steps, node, before!);
            }
        }
    }

    // ---- Plumbing ----------------------------------------------------------------------------

    private Node Binary(Op op, string name, Node left, Node right)
    {
        Check(left, name, nameof(left));
        Check(right, name, nameof(right));
        Shape a = left.Shape, b = right.Shape;
        bool rowsFit = a.Rows == b.Rows || a.Rows == 1 || b.Rows == 1;
        bool colsFit = a.Cols == b.Cols || a.Cols == 1 || b.Cols == 1;
        if (!rowsFit || !colsFit)
        {
            throw new ArgumentException(Format("{0}: left {1} and right {2} do not broadcast", name, a, b), nameof(right));
        }
        return Record(op, new Shape(Math.Max(a.Rows, b.Rows), Math.Max(a.Cols, b.Cols)), 0, null, left, right);
    }

    private Node Unary(Op op, string name, Node x, double parameter = 0)
    {
        Check(x, name, nameof(x));
        return Record(op, x.Shape, parameter, null, x);
    }

    private Node Reduce(Op op, string name, Node x)
    {
        Check(x, name, nameof(x));
        Shape shape = op switch
        {
            Op.Sum => Shape.Scalar,
            Op.ColumnSums => new Shape(1, x.Cols),
            _ => new Shape(x.Rows, 1),   // row sums, row maxes
        };
        return Record(op, shape, 0, null, x);
    }

    private Node Record(Op op, Shape shape, double parameter, string? name, params Node[] inputs)
    {
        bool requiresGradient = op == Op.Variable;
        foreach (Node input in inputs)
        {
            requiresGradient |= input.RequiresGradient;
        }
        var node = new Node(this, _nodes.Count, op, shape, parameter, inputs, requiresGradient, name);
        _nodes.Add(node);
        if (inputs.Length > 0)
        {
            Rules.Run(node, backward: false);
            ForwardEvaluations++;
        }
        return node;
    }

    private void Check(Node node, string op, string parameter)
    {
        if (node is null)
        {
            throw new ArgumentNullException(parameter, op + ": " + parameter + " is null");
        }
        if (!ReferenceEquals(node.Graph, this))
        {
            throw new ArgumentException(op + ": " + parameter + " belongs to another graph", parameter);
        }
    }

    private static Dual[]?[] Snapshot(Node[] inputs)
    {
        var copies = new Dual[]?[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            copies[i] = (Dual[]?)inputs[i].Adjoint?.Clone();
        }
        return copies;
    }

    private static string Format(string format, params object[] args) =>
        string.Format(CultureInfo.InvariantCulture, format, args);
}
