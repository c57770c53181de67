using System;
using System.Collections.Generic;
using Cortex.Autodiff;
using Cortex.Diagnostics;
using NUnit.Framework;

namespace Cortex.Tests.Autodiff;

/// <summary>
/// Every op of <see cref="Graph"/>: reverse mode, forward mode and central differences agree (via
/// <see cref="Cortex.Diagnostics.GradientCheck.Function"/>), and forward-over-reverse agrees with differences of the gradient, on
/// seeded points and shapes (1, 1), (1, 3), (3, 17).
/// </summary>
[TestFixture]
public sealed class GraphOpsTests
{
    private const double AbsoluteTolerance = 1e-7;
    private const double RelativeTolerance = 1e-6;

    private sealed class Spec
    {
        public Spec(Func<Graph, Node[], Node> apply, Func<int, int, int, Matrix[]> inputs)
        {
            Apply = apply;
            Inputs = inputs;
        }

        public Func<Graph, Node[], Node> Apply { get; }

        /// <summary>(rows, cols, seed) → inputs.</summary>
        public Func<int, int, int, Matrix[]> Inputs { get; }
    }

    private static Matrix[] One(Func<int, int, int, Matrix> make, int r, int c, int s) => new[] { make(r, c, s) };

    private static Matrix Any(int r, int c, int s) => Seeded.Uniform(s, r, c);

    private static Matrix Positive(int r, int c, int s) => Seeded.Uniform(s, r, c, 0.2, 3);

    private static Matrix OffZero(int r, int c, int s) => Seeded.AwayFromZero(s, r, c);

    private static Spec Unary(Func<Graph, Node, Node> op, Func<int, int, int, Matrix> domain) =>
        new((g, x) => op(g, x[0]), (r, c, s) => One(domain, r, c, s));

    private static Spec Binary(Func<Graph, Node, Node, Node> op, Func<int, int, int, Matrix> left,
        Func<int, int, int, Matrix> right, int rightRows = -1, int rightCols = -1) =>
        new((g, x) => op(g, x[0], x[1]), (r, c, s) => new[]
        {
            left(r, c, s),
            right(rightRows == 1 ? 1 : r, rightCols == 1 ? 1 : c, s + 1),
        });

    private static readonly Dictionary<string, Spec> Specs = new()
    {
        ["add"] = Binary((g, a, b) => g.Add(a, b), Any, Any),
        ["add row-vector bias"] = Binary((g, a, b) => a + b, Any, Any, rightRows: 1),
        ["add column"] = Binary((g, a, b) => a + b, Any, Any, rightCols: 1),
        ["sub"] = Binary((g, a, b) => g.Sub(a, b), Any, Any),
        ["sub scalar"] = Binary((g, a, b) => a - b, Any, Any, rightRows: 1, rightCols: 1),
        ["mul"] = Binary((g, a, b) => g.Mul(a, b), Any, Any),
        ["mul row broadcast"] = Binary((g, a, b) => a * b, Any, Any, rightRows: 1),
        ["div"] = Binary((g, a, b) => g.Div(a, b), Any, (r, c, s) => Seeded.AwayFromZero(s, r, c, 0.5, 2)),
        ["div by column"] = Binary((g, a, b) => a / b, Any, (r, c, s) => Seeded.AwayFromZero(s, r, c, 0.5, 2), rightCols: 1),
        ["max"] = new((g, x) => g.Max(x[0], x[1]), (r, c, s) =>
        {
            Matrix a = Any(r, c, s);
            return new[] { a, Seeded.Plus(a, Seeded.AwayFromZero(s + 1, r, c, 0.1, 1)) };
        }),
        ["pow"] = Binary((g, a, b) => g.Pow(a, b), (r, c, s) => Seeded.Uniform(s, r, c, 0.5, 2), Any),
        ["neg"] = Unary((g, x) => g.Neg(x), Any),
        ["exp"] = Unary((g, x) => g.Exp(x), Any),
        ["log"] = Unary((g, x) => g.Log(x), Positive),
        ["sin"] = Unary((g, x) => g.Sin(x), Any),
        ["cos"] = Unary((g, x) => g.Cos(x), Any),
        ["pow 3"] = Unary((g, x) => g.Pow(x, 3), Any),
        ["pow 0.5"] = Unary((g, x) => g.Pow(x, 0.5), Positive),
        ["pow -1.5"] = Unary((g, x) => g.Pow(x, -1.5), Positive),
        ["square"] = Unary((g, x) => g.Square(x), Any),
        ["tanh"] = Unary((g, x) => g.Tanh(x), Any),
        ["sigmoid"] = Unary((g, x) => g.Sigmoid(x), (r, c, s) => Seeded.Uniform(s, r, c, -6, 6)),
        ["softplus"] = Unary((g, x) => g.Softplus(x), (r, c, s) => Seeded.Uniform(s, r, c, -6, 6)),
        ["relu"] = Unary((g, x) => g.Relu(x), OffZero),
        ["leaky relu"] = Unary((g, x) => g.LeakyRelu(x, 0.1), OffZero),
        ["elu"] = Unary((g, x) => g.Elu(x, 0.7), OffZero),
        ["binary step"] = Unary((g, x) => g.BinaryStep(x), OffZero),
        ["abs"] = Unary((g, x) => g.Abs(x), OffZero),
        ["matmul"] = new((g, x) => g.MatMul(x[0], x[1]), (r, c, s) => new[] { Any(r, c, s), Any(c, r, s + 1) }),
        ["transpose"] = Unary((g, x) => g.Transpose(x) * g.Transpose(x), Any),
        ["reshape"] = Unary((g, x) => g.Sin(g.Reshape(x, x.Cols, x.Rows)), Any),
        ["sum"] = Unary((g, x) => g.Sum(x * x), Any),
        ["mean"] = Unary((g, x) => g.Mean(g.Exp(x)), Any),
        ["row sums"] = Unary((g, x) => g.Square(g.RowSums(x)), Any),
        ["column sums"] = Unary((g, x) => g.Square(g.ColumnSums(x)), Any),
        ["row maxes"] = Unary((g, x) => g.Square(g.RowMaxes(x)), Any),
        ["softmax"] = Unary((g, x) => g.Softmax(x), Any),
        ["log softmax"] = Unary((g, x) => g.LogSoftmax(x), Any),
    };

    private static readonly (int Rows, int Cols)[] Shapes = { (1, 1), (1, 3), (3, 17) };

    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (string name in Specs.Keys)
        {
            foreach (var (rows, cols) in Shapes)
            {
                yield return new TestCaseData(name, rows, cols).SetArgDisplayNames(name, rows + "x" + cols);
            }
        }
    }

    /// <summary>f(x) = Σ op(x) ⊙ W with seeded weights W, so every output element matters differently.</summary>
    private static Func<Graph, Node[], Node> Scalarize(Spec spec) => (g, x) =>
    {
        Node y = spec.Apply(g, x);
        return g.Sum(y * g.Constant(Seeded.Uniform(1000 + y.Rows * 31 + y.Cols, y.Rows, y.Cols)));
    };

    [TestCaseSource(nameof(Cases))]
    public void ReverseForwardAndFiniteDifferencesAgree(string op, int rows, int cols)
    {
        Spec spec = Specs[op];
        Matrix[] inputs = spec.Inputs(rows, cols, 17 * rows + cols);

        GradientCheckReport report = GradientCheck.Function(Scalarize(spec), inputs, tolerance: new GradientTolerance(AbsoluteTolerance, RelativeTolerance));

        Assert.That(report.Passed, Is.True, report.ToString());
    }

    [TestCaseSource(nameof(Cases))]
    public void ForwardOverReverseAgreesWithDifferencesOfTheGradient(string op, int rows, int cols)
    {
        Spec spec = Specs[op];
        Func<Graph, Node[], Node> f = Scalarize(spec);
        Matrix[] inputs = spec.Inputs(rows, cols, 17 * rows + cols);
        var direction = new Matrix[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            direction[i] = Seeded.Uniform(99 + i, inputs[i].Rows, inputs[i].Cols, -1, 1);
        }

        Matrix[] hv = Derivatives.HessianVectorProduct(f, inputs, direction);

        const double h = 1e-5;
        var plus = new Matrix[inputs.Length];
        var minus = new Matrix[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            plus[i] = Seeded.Plus(inputs[i], Seeded.Scaled(direction[i], h));
            minus[i] = Seeded.Plus(inputs[i], Seeded.Scaled(direction[i], -h));
        }
        Matrix[] gradientPlus = Derivatives.Gradient(f, plus), gradientMinus = Derivatives.Gradient(f, minus);
        for (int i = 0; i < inputs.Length; i++)
        {
            for (int e = 0; e < inputs[i].Length; e++)
            {
                double expected = (gradientPlus[i][e] - gradientMinus[i][e]) / (2 * h);
                Assert.That(hv[i][e], Is.EqualTo(expected).Within(1e-6 + 1e-5 * Math.Abs(expected)),
                    $"{op}: input {i} element {e}");
            }
        }
    }
}
