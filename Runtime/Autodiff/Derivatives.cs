using System;
using System.Collections.Generic;
using System.Globalization;

namespace Cortex.Autodiff;

/// <summary>
/// Derivatives of a function written on a <see cref="Graph"/>. The function is a builder,
/// <c>(graph, x) =&gt; y</c>: it receives one variable per input matrix (named x1, x2, … in traces)
/// and returns its output node; it is called once per pass, so it must be deterministic. Input
/// elements are counted through the inputs in order, each row-major.
/// </summary>
/// <remarks>
/// Every method throws <see cref="ArgumentException"/> when there are no inputs or a tangent,
/// direction or cotangent does not match, and <see cref="InvalidOperationException"/> when the
/// builder returns null or a node of another graph.
/// </remarks>
/// <example>
/// <code>
/// Matrix[] g = Derivatives.Gradient((graph, x) =&gt; graph.Sum(graph.Tanh(x[0] * x[1])), a, b);
/// </code>
/// </example>
public static class Derivatives
{
    /// <summary>Reverse mode: ∇f for a scalar f, one matrix per input — one forward and one backward pass.</summary>
    /// <param name="function">Builds the scalar output from the input variables.</param>
    /// <param name="inputs">The point x, one matrix per input.</param>
    /// <exception cref="ArgumentException">No inputs, or the output is not a scalar.</exception>
    public static Matrix[] Gradient(Func<Graph, Node[], Node> function, params Matrix[] inputs)
    {
        var graph = new Graph();
        Node y = Build(graph, function, inputs, null, out Node[] x);
        graph.Backward(y);
        return Gradients(x);
    }

    /// <summary>Forward mode: the directional derivative J·v (a Jacobian-vector product) in one pass.</summary>
    /// <param name="function">Builds the output from the input variables.</param>
    /// <param name="inputs">The point x, one matrix per input.</param>
    /// <param name="tangents">The direction v, one matrix per input, same shapes.</param>
    /// <returns>J·v, shaped like the output.</returns>
    /// <exception cref="ArgumentException">The tangents do not match the inputs.</exception>
    public static Matrix JacobianVectorProduct(Func<Graph, Node[], Node> function, IReadOnlyList<Matrix> inputs,
        IReadOnlyList<Matrix> tangents)
    {
        Node y = Build(new Graph(), function, inputs, tangents, out _);
        return y.Tangents();
    }

    /// <summary>Reverse mode: uᵀ·J (a vector-Jacobian product) in one forward and one backward pass.</summary>
    /// <param name="function">Builds the output from the input variables.</param>
    /// <param name="inputs">The point x, one matrix per input.</param>
    /// <param name="cotangent">u, shaped like the output.</param>
    /// <returns>uᵀ·J, one matrix per input.</returns>
    /// <exception cref="ArgumentException">The cotangent's shape differs from the output's.</exception>
    public static Matrix[] VectorJacobianProduct(Func<Graph, Node[], Node> function, IReadOnlyList<Matrix> inputs,
        Matrix cotangent)
    {
        if (cotangent is null)
        {
            throw new ArgumentNullException(nameof(cotangent));
        }
        var graph = new Graph();
        Node y = Build(graph, function, inputs, null, out Node[] x);
        graph.Backward(y, cotangent);
        return Gradients(x);
    }

    /// <summary>
    /// Forward-over-reverse: the Hessian-vector product ∇²f·v of a scalar f in one dual-number forward
    /// pass (tangent v) and one backward pass that carries the adjoints' tangents.
    /// </summary>
    /// <param name="function">Builds the scalar output from the input variables.</param>
    /// <param name="inputs">The point x, one matrix per input.</param>
    /// <param name="direction">v, one matrix per input, same shapes.</param>
    /// <returns>∇²f·v, one matrix per input.</returns>
    /// <exception cref="ArgumentException">The direction does not match the inputs, or the output is not a scalar.</exception>
    public static Matrix[] HessianVectorProduct(Func<Graph, Node[], Node> function, IReadOnlyList<Matrix> inputs,
        IReadOnlyList<Matrix> direction)
    {
        var graph = new Graph();
        Node y = Build(graph, function, inputs, direction, out Node[] x);
        graph.Backward(y);
        var result = new Matrix[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            result[i] = x[i].GradientTangents();
        }
        return result;
    }

    /// <summary>The full Jacobian by forward mode: one tangent pass per input element (a column each).</summary>
    /// <param name="function">Builds the output from the input variables.</param>
    /// <param name="inputs">The point x, one matrix per input.</param>
    public static JacobianResult JacobianForward(Func<Graph, Node[], Node> function, params Matrix[] inputs)
    {
        int n = CountElements(inputs);
        Matrix? value = null, jacobian = null;
        long evaluations = 0;
        for (int column = 0; column < n; column++)
        {
            var graph = new Graph();
            Node y = Build(graph, function, inputs, OneHot(inputs, column), out _);
            evaluations += graph.ForwardEvaluations;
            value ??= y.Values();
            jacobian ??= new Matrix(y.Length, n);
            for (int row = 0; row < y.Length; row++)
            {
                jacobian[row, column] = y.TangentAt(row);
            }
        }
        return new JacobianResult(value!, jacobian!, n, 0, evaluations, 0);
    }

    /// <summary>The full Jacobian by reverse mode: one forward pass, then one backward pass per output element (a row each).</summary>
    /// <param name="function">Builds the output from the input variables.</param>
    /// <param name="inputs">The point x, one matrix per input.</param>
    public static JacobianResult JacobianReverse(Func<Graph, Node[], Node> function, params Matrix[] inputs)
    {
        int n = CountElements(inputs);
        var graph = new Graph();
        Node y = Build(graph, function, inputs, null, out Node[] x);
        var jacobian = new Matrix(y.Length, n);
        for (int row = 0; row < y.Length; row++)
        {
            var seed = new Matrix(y.Rows, y.Cols);
            seed[row] = 1;
            graph.Backward(y, seed);
            int column = 0;
            foreach (Node variable in x)
            {
                for (int e = 0; e < variable.Length; e++)
                {
                    jacobian[row, column++] = variable.GradientAt(e);
                }
            }
        }
        return new JacobianResult(y.Values(), jacobian, 1, y.Length, graph.ForwardEvaluations, graph.BackwardEvaluations);
    }

    /// <summary>Creates the variables (with tangents when given), calls the builder and checks what it returned.</summary>
    internal static Node Build(Graph graph, Func<Graph, Node[], Node> function, IReadOnlyList<Matrix> inputs,
        IReadOnlyList<Matrix>? tangents, out Node[] variables)
    {
        if (function is null)
        {
            throw new ArgumentNullException(nameof(function));
        }
        CountElements(inputs);
        if (tangents is not null && tangents.Count != inputs.Count)
        {
            throw new ArgumentException(
                string.Format(CultureInfo.InvariantCulture, "tangents: {0} given for {1} inputs", tangents.Count, inputs.Count),
                nameof(tangents));
        }
        variables = new Node[inputs.Count];
        for (int i = 0; i < inputs.Count; i++)
        {
            string name = "x" + (i + 1).ToString(CultureInfo.InvariantCulture);
            variables[i] = graph.Variable(inputs[i], tangents?[i], name);
        }
        Node y = function(graph, variables)
            ?? throw new InvalidOperationException("autodiff: the function returned null instead of its output node");
        if (!ReferenceEquals(y.Graph, graph))
        {
            throw new InvalidOperationException("autodiff: the function returned a node of another graph");
        }
        return y;
    }

    /// <summary>Total number of input elements; validates the list.</summary>
    internal static int CountElements(IReadOnlyList<Matrix> inputs)
    {
        if (inputs is null)
        {
            throw new ArgumentNullException(nameof(inputs));
        }
        if (inputs.Count == 0)
        {
            throw new ArgumentException("autodiff: the function needs at least one input", nameof(inputs));
        }
        int n = 0;
        for (int i = 0; i < inputs.Count; i++)
        {
            n += (inputs[i] ?? throw new ArgumentNullException(nameof(inputs), "autodiff: input " + i + " is null")).Length;
        }
        return n;
    }

    private static Matrix[] Gradients(Node[] variables)
    {
        var result = new Matrix[variables.Length];
        for (int i = 0; i < variables.Length; i++)
        {
            result[i] = variables[i].Gradients();
        }
        return result;
    }

    /// <summary>Tangents that are 1 at one input element (counted across all inputs) and 0 elsewhere.</summary>
    private static Matrix[] OneHot(IReadOnlyList<Matrix> inputs, int element)
    {
        var tangents = new Matrix[inputs.Count];
        for (int i = 0; i < inputs.Count; i++)
        {
            tangents[i] = new Matrix(inputs[i].Rows, inputs[i].Cols);
            if (element >= 0 && element < inputs[i].Length)
            {
                tangents[i][element] = 1;
            }
            element -= inputs[i].Length;
        }
        return tangents;
    }
}
