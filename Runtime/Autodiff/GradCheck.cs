using System;
using System.Collections.Generic;

namespace Cortex.Autodiff;

/// <summary>
/// Checks a gradient several ways: reverse mode (adjoints), forward mode (one dual-number pass per
/// input element) and central finite differences, all in double — and, when given, a hand-written
/// gradient (e.g. a layer's Backward, computed in float and widened with <see cref="Matrix.FromSingle"/>).
/// Two values a, b agree when |a − b| ≤ absoluteTolerance + relativeTolerance · max(|a|, |b|).
/// </summary>
/// <remarks>
/// The function must return a scalar. To check a layer's backward for an upstream gradient dY,
/// return <c>graph.Sum(y * graph.Constant(dY))</c>: its gradient is exactly the vector-Jacobian
/// product the layer computes. Keep the check points away from kinks (ReLU at 0, max ties): there
/// finite differences see both sides and disagree with any convention.
/// </remarks>
/// <example>
/// <code>
/// GradCheckReport report = GradCheck.Run(
///     (g, x) =&gt; g.Mean(g.Tanh(g.MatMul(x[0], g.Transpose(x[1])) + x[2])),
///     new[] { batch, weights, bias }, absoluteTolerance: 1e-8, relativeTolerance: 1e-6,
///     expected: new[] { dBatch, dWeights, dBias });
/// Assert.That(report.Passed, report.ToString());
/// </code>
/// </example>
public static class GradCheck
{
    /// <summary>Compares reverse mode, forward mode, central differences and, optionally, an expected gradient.</summary>
    /// <param name="function">Builds the scalar output from one variable per input; called once per pass.</param>
    /// <param name="inputs">The point x, one matrix per input; not modified.</param>
    /// <param name="absoluteTolerance">Allowed absolute difference, ≥ 0.</param>
    /// <param name="relativeTolerance">Allowed difference relative to the larger magnitude, ≥ 0.</param>
    /// <param name="expected">A gradient to check (one matrix per input, same shapes), or null.</param>
    /// <param name="step">Finite-difference step, relative: h = step · max(1, |xᵢ|). About ∛ε for double.</param>
    /// <returns>The gradients of every method and where they disagree most.</returns>
    /// <exception cref="ArgumentException">A tolerance is negative, the step is not positive, the output is not a scalar, or <paramref name="expected"/> does not match the inputs.</exception>
    public static GradCheckReport Run(Func<Graph, Node[], Node> function, IReadOnlyList<Matrix> inputs,
        double absoluteTolerance, double relativeTolerance, IReadOnlyList<Matrix>? expected = null, double step = 1e-5)
    {
        if (!(absoluteTolerance >= 0) || !(relativeTolerance >= 0))
        {
            throw new ArgumentException("grad check: tolerances must be ≥ 0", nameof(absoluteTolerance));
        }
        if (!(step > 0))
        {
            throw new ArgumentException("grad check: step must be > 0", nameof(step));
        }
        int n = Derivatives.CountElements(inputs);
        if (expected is not null)
        {
            CheckShapes(inputs, expected);
        }
        var points = new Matrix[inputs.Count];
        for (int i = 0; i < inputs.Count; i++)
        {
            points[i] = new Matrix(inputs[i].AsSpan(), inputs[i].Rows, inputs[i].Cols);
        }

        Matrix[] reverse = Derivatives.Gradient(function, points);
        Matrix[] forward = Split(Derivatives.JacobianForward(function, points).Jacobian, points);
        Matrix[] difference = CentralDifferences(function, points, step);

        var report = new GradCheckReport(absoluteTolerance, relativeTolerance, reverse, forward, difference, expected, n);
        report.Compare("reverse", reverse, "forward", forward);
        report.Compare("reverse", reverse, "finite difference", difference);
        if (expected is not null)
        {
            report.Compare("expected", expected, "reverse", reverse);
        }
        return report;
    }

    private static Matrix[] CentralDifferences(Func<Graph, Node[], Node> function, Matrix[] points, double step)
    {
        var result = new Matrix[points.Length];
        for (int i = 0; i < points.Length; i++)
        {
            Matrix x = points[i];
            result[i] = new Matrix(x.Rows, x.Cols);
            for (int e = 0; e < x.Length; e++)
            {
                double original = x[e];
                double h = step * Math.Max(1, Math.Abs(original));
                x[e] = original + h;
                double plus = Evaluate(function, points);
                x[e] = original - h;
                double minus = Evaluate(function, points);
                x[e] = original;
                result[i][e] = (plus - minus) / (2 * h);
            }
        }
        return result;
    }

    private static double Evaluate(Func<Graph, Node[], Node> function, Matrix[] points)
    {
        Node y = Derivatives.Build(new Graph(), function, points, null, out _);
        if (!y.Shape.IsScalar)
        {
            throw new ArgumentException("grad check: the function's output " + y.Shape + " is not a scalar", nameof(function));
        }
        return y.Value;
    }

    private static Matrix[] Split(Matrix row, Matrix[] points)
    {
        var result = new Matrix[points.Length];
        int column = 0;
        for (int i = 0; i < points.Length; i++)
        {
            result[i] = new Matrix(points[i].Rows, points[i].Cols);
            for (int e = 0; e < points[i].Length; e++)
            {
                result[i][e] = row[0, column++];
            }
        }
        return result;
    }

    private static void CheckShapes(IReadOnlyList<Matrix> inputs, IReadOnlyList<Matrix> expected)
    {
        if (expected.Count != inputs.Count)
        {
            throw new ArgumentException(
                "grad check: " + expected.Count + " expected gradients for " + inputs.Count + " inputs", nameof(expected));
        }
        for (int i = 0; i < inputs.Count; i++)
        {
            if (expected[i] is null || expected[i].Shape != inputs[i].Shape)
            {
                throw new ArgumentException(
                    "grad check: expected gradient " + i + " is " + (expected[i]?.Shape.ToString() ?? "null")
                    + ", input is " + inputs[i].Shape, nameof(expected));
            }
        }
    }
}
