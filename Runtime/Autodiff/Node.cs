using System;
using System.Globalization;

namespace Cortex.Autodiff;

/// <summary>
/// One recorded value in a <see cref="Graph"/>: a variable, a constant or the result of an op.
/// Holds its value and tangent (forward mode, evaluated when the node is created) and, after
/// <see cref="Graph.Backward(Node)"/>, its adjoint ∂y/∂v (reverse mode) and the adjoint's tangent
/// (forward-over-reverse: a Hessian-vector product). Nodes are created by the graph's methods and
/// the arithmetic operators; a node never changes its value.
/// </summary>
public sealed class Node
{
    internal Node(Graph graph, int id, Op op, Shape shape, double parameter, Node[] inputs, bool requiresGradient, string? name)
    {
        Graph = graph;
        Id = id;
        Op = op;
        Shape = shape;
        Parameter = parameter;
        Inputs = inputs;
        RequiresGradient = requiresGradient;
        Name = name;
        Data = new Dual[shape.Length];
    }

    /// <summary>The graph that recorded this node.</summary>
    public Graph Graph { get; }

    /// <summary>Position on the graph's tape: every input of a node has a smaller id.</summary>
    public int Id { get; }

    /// <summary>The shape (rows, columns).</summary>
    public Shape Shape { get; }

    /// <summary>Number of rows.</summary>
    public int Rows => Shape.Rows;

    /// <summary>Number of columns.</summary>
    public int Cols => Shape.Cols;

    /// <summary>Number of elements.</summary>
    public int Length => Shape.Length;

    /// <summary>The name given to a variable (used in traces), or null.</summary>
    public string? Name { get; }

    /// <summary>True for variables and for every node that depends on one: the nodes a backward pass reaches.</summary>
    public bool RequiresGradient { get; }

    /// <summary>True for a node made by <see cref="Graph.Variable(Matrix, Matrix?, string?)"/>.</summary>
    public bool IsVariable => Op == Op.Variable;

    internal Op Op { get; }

    internal double Parameter { get; }

    internal Node[] Inputs { get; }

    /// <summary>Value and tangent of each element.</summary>
    internal Dual[] Data { get; }

    /// <summary>∂y/∂v of each element (with its tangent) after a backward pass; null when nothing reached it.</summary>
    internal Dual[]? Adjoint { get; set; }

    internal Dual[] AdjointBuffer() => Adjoint ??= new Dual[Data.Length];

    /// <summary>The value of a scalar node.</summary>
    /// <exception cref="InvalidOperationException">The node is not (1, 1).</exception>
    public double Value => Data[ScalarIndex(nameof(Value))].Value;

    /// <summary>The tangent (directional derivative along the variables' tangents) of a scalar node.</summary>
    /// <exception cref="InvalidOperationException">The node is not (1, 1).</exception>
    public double Tangent => Data[ScalarIndex(nameof(Tangent))].Tangent;

    /// <summary>The adjoint ∂y/∂v of a scalar node from the last backward pass (0 when it was not reached).</summary>
    /// <exception cref="InvalidOperationException">The node is not (1, 1).</exception>
    public double Gradient => GradientAt(ScalarIndex(nameof(Gradient)));

    /// <summary>
    /// The tangent of the adjoint of a scalar node from the last backward pass: with variables seeded
    /// with tangent v and a scalar output, this is (∇²y · v) for that element.
    /// </summary>
    /// <exception cref="InvalidOperationException">The node is not (1, 1).</exception>
    public double GradientTangent => GradientTangentAt(ScalarIndex(nameof(GradientTangent)));

    /// <summary>The value of the element at a row-major <paramref name="index"/>.</summary>
    /// <param name="index">Row-major index.</param>
    public double ValueAt(int index) => Data[index].Value;

    /// <summary>The tangent of the element at a row-major <paramref name="index"/>.</summary>
    /// <param name="index">Row-major index.</param>
    public double TangentAt(int index) => Data[index].Tangent;

    /// <summary>The adjoint of the element at a row-major <paramref name="index"/> from the last backward pass.</summary>
    /// <param name="index">Row-major index.</param>
    public double GradientAt(int index)
    {
        CheckIndex(index);
        return Adjoint is null ? 0 : Adjoint[index].Value;
    }

    /// <summary>The tangent of the adjoint of the element at a row-major <paramref name="index"/> (see <see cref="GradientTangent"/>).</summary>
    /// <param name="index">Row-major index.</param>
    public double GradientTangentAt(int index)
    {
        CheckIndex(index);
        return Adjoint is null ? 0 : Adjoint[index].Tangent;
    }

    /// <summary>A copy of the values.</summary>
    public Matrix Values() => Copy(static d => d.Value, Data);

    /// <summary>A copy of the tangents.</summary>
    public Matrix Tangents() => Copy(static d => d.Tangent, Data);

    /// <summary>A copy of the adjoints from the last backward pass (zeros when it did not reach this node).</summary>
    public Matrix Gradients() => Adjoint is null ? new Matrix(Rows, Cols) : Copy(static d => d.Value, Adjoint);

    /// <summary>A copy of the adjoints' tangents from the last backward pass (see <see cref="GradientTangent"/>).</summary>
    public Matrix GradientTangents() => Adjoint is null ? new Matrix(Rows, Cols) : Copy(static d => d.Tangent, Adjoint);

    /// <summary>Single-precision convenience: copies the values, narrowed to float, into <paramref name="destination"/>.</summary>
    /// <param name="destination">Receives <see cref="Length"/> floats.</param>
    public void CopyValuesTo(Span<float> destination) => Values().CopyTo(destination);

    /// <summary>Single-precision convenience: copies the adjoints, narrowed to float, into <paramref name="destination"/>.</summary>
    /// <param name="destination">Receives <see cref="Length"/> floats.</param>
    public void CopyGradientsTo(Span<float> destination) => Gradients().CopyTo(destination);

    /// <summary>Describes the node: id, op, shape.</summary>
    public override string ToString() =>
        string.Format(CultureInfo.InvariantCulture, "#{0} {1}{2} {3}", Id, Op, Name is null ? "" : " " + Name, Shape);

    /// <summary>Element-wise sum with broadcasting; see <see cref="Graph.Add"/>.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    public static Node operator +(Node left, Node right) => Owner(left).Add(left, right);

    /// <summary>Adds a constant.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">A constant.</param>
    public static Node operator +(Node left, double right) => Owner(left).Add(left, left.Graph.Constant(right));

    /// <summary>Adds to a constant.</summary>
    /// <param name="left">A constant.</param>
    /// <param name="right">Right operand.</param>
    public static Node operator +(double left, Node right) => Owner(right).Add(right.Graph.Constant(left), right);

    /// <summary>Element-wise difference with broadcasting; see <see cref="Graph.Sub"/>.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    public static Node operator -(Node left, Node right) => Owner(left).Sub(left, right);

    /// <summary>Subtracts a constant.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">A constant.</param>
    public static Node operator -(Node left, double right) => Owner(left).Sub(left, left.Graph.Constant(right));

    /// <summary>Subtracts from a constant.</summary>
    /// <param name="left">A constant.</param>
    /// <param name="right">Right operand.</param>
    public static Node operator -(double left, Node right) => Owner(right).Sub(right.Graph.Constant(left), right);

    /// <summary>Negation; see <see cref="Graph.Neg"/>.</summary>
    /// <param name="operand">The operand.</param>
    public static Node operator -(Node operand) => Owner(operand).Neg(operand);

    /// <summary>Element-wise product with broadcasting; see <see cref="Graph.Mul"/>.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    public static Node operator *(Node left, Node right) => Owner(left).Mul(left, right);

    /// <summary>Multiplies by a constant.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">A constant.</param>
    public static Node operator *(Node left, double right) => Owner(left).Mul(left, left.Graph.Constant(right));

    /// <summary>Multiplies a constant.</summary>
    /// <param name="left">A constant.</param>
    /// <param name="right">Right operand.</param>
    public static Node operator *(double left, Node right) => Owner(right).Mul(right.Graph.Constant(left), right);

    /// <summary>Element-wise quotient with broadcasting; see <see cref="Graph.Div"/>.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    public static Node operator /(Node left, Node right) => Owner(left).Div(left, right);

    /// <summary>Divides by a constant.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">A constant.</param>
    public static Node operator /(Node left, double right) => Owner(left).Div(left, left.Graph.Constant(right));

    /// <summary>Divides a constant.</summary>
    /// <param name="left">A constant.</param>
    /// <param name="right">Right operand.</param>
    public static Node operator /(double left, Node right) => Owner(right).Div(right.Graph.Constant(left), right);

    private static Graph Owner(Node node) =>
        node is null ? throw new ArgumentNullException(nameof(node)) : node.Graph;

    private Matrix Copy(Func<Dual, double> part, Dual[] source)
    {
        var m = new Matrix(Rows, Cols);
        Span<double> values = m.AsSpan();
        for (int i = 0; i < source.Length; i++)
        {
            values[i] = part(source[i]);
        }
        return m;
    }

    private int ScalarIndex(string member)
    {
        if (!Shape.IsScalar)
        {
            throw new InvalidOperationException(
                string.Format(CultureInfo.InvariantCulture, "{0}: node {1} is not a scalar; use the *At(index) or matrix accessors", member, Shape));
        }
        return 0;
    }

    private void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Data.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(index),
                string.Format(CultureInfo.InvariantCulture, "index {0} is outside {1}", index, Shape));
        }
    }
}
