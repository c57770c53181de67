using System;
using Cortex.Autodiff;
using NUnit.Framework;

namespace Cortex.Tests.Autodiff;

[TestFixture]
public sealed class DerivativesTests
{
    private const double Tol = 1e-12;

    /// <summary>R^n → R^m: y = tanh(W·x) ⊙ (1 + x₀²), shaped (m, 1).</summary>
    private static Func<Graph, Node[], Node> Vector(Matrix w) => (g, x) =>
        g.Tanh(g.MatMul(g.Constant(w), x[0])) * (1 + g.Square(g.Reshape(g.RowMaxes(g.Transpose(x[0])), 1, 1)));

    [Test]
    public void GradientMatchesTheClosedForm()
    {
        Matrix a = Seeded.Uniform(1, 2, 3), b = Seeded.Uniform(2, 2, 3);
        Matrix[] gradient = Derivatives.Gradient((g, x) => g.Sum(g.Tanh(x[0] * x[1])), a, b);
        for (int i = 0; i < a.Length; i++)
        {
            double t = Math.Tanh(a[i] * b[i]);
            Assert.That(gradient[0][i], Is.EqualTo((1 - t * t) * b[i]).Within(Tol));
            Assert.That(gradient[1][i], Is.EqualTo((1 - t * t) * a[i]).Within(Tol));
        }
    }

    [Test]
    public void ForwardAndReverseJacobiansAgree()
    {
        Matrix w = Seeded.Uniform(3, 4, 5), x = Seeded.Uniform(4, 5, 1);
        JacobianResult forward = Derivatives.JacobianForward(Vector(w), x);
        JacobianResult reverse = Derivatives.JacobianReverse(Vector(w), x);
        Assert.That(forward.Jacobian.Shape, Is.EqualTo(new Shape(4, 5)));
        Assert.That(reverse.Jacobian.ToArray(), Is.EqualTo(forward.Jacobian.ToArray()).Within(Tol));
        Assert.That(reverse.Value.ToArray(), Is.EqualTo(forward.Value.ToArray()));
    }

    [Test]
    public void JacobianVectorProductIsJTimesV()
    {
        Matrix w = Seeded.Uniform(5, 4, 5), x = Seeded.Uniform(6, 5, 1), v = Seeded.Uniform(7, 5, 1);
        Matrix j = Derivatives.JacobianReverse(Vector(w), x).Jacobian;
        Matrix jv = Derivatives.JacobianVectorProduct(Vector(w), new[] { x }, new[] { v });
        for (int r = 0; r < 4; r++)
        {
            double expected = 0;
            for (int c = 0; c < 5; c++)
            {
                expected += j[r, c] * v[c];
            }
            Assert.That(jv[r], Is.EqualTo(expected).Within(Tol));
        }
    }

    [Test]
    public void VectorJacobianProductIsUTransposeJ()
    {
        Matrix w = Seeded.Uniform(8, 4, 5), x = Seeded.Uniform(9, 5, 1), u = Seeded.Uniform(10, 4, 1);
        Matrix j = Derivatives.JacobianForward(Vector(w), x).Jacobian;
        Matrix uj = Derivatives.VectorJacobianProduct(Vector(w), new[] { x }, u)[0];
        for (int c = 0; c < 5; c++)
        {
            double expected = 0;
            for (int r = 0; r < 4; r++)
            {
                expected += u[r] * j[r, c];
            }
            Assert.That(uj[c], Is.EqualTo(expected).Within(Tol));
        }
    }

    [Test]
    public void ForwardModeNeedsOnePassPerInputReverseModeOnePerOutput()
    {
        const int n = 16;
        // Many inputs, one output: f(x) = Σ sin(x) ⊙ x — reverse mode wins.
        Func<Graph, Node[], Node> manyToOne = (g, x) => g.Sum(g.Sin(x[0]) * x[0]);
        Matrix x = Seeded.Uniform(11, 1, n);
        JacobianResult forward = Derivatives.JacobianForward(manyToOne, x);
        JacobianResult reverse = Derivatives.JacobianReverse(manyToOne, x);
        Assert.That((forward.ForwardPasses, forward.ReversePasses), Is.EqualTo((n, 0)));
        Assert.That((reverse.ForwardPasses, reverse.ReversePasses), Is.EqualTo((1, 1)));
        Assert.That(forward.ForwardEvaluations, Is.EqualTo(n * 3L));              // sin, mul, sum per pass
        Assert.That(reverse.ForwardEvaluations + reverse.BackwardEvaluations, Is.EqualTo(3L + 3L));

        // One input, many outputs: f(t) = sin(t·c) — forward mode wins.
        Matrix c = Seeded.Uniform(12, 1, n);
        Func<Graph, Node[], Node> oneToMany = (g, t) => g.Sin(t[0] * g.Constant(c));
        JacobianResult forward2 = Derivatives.JacobianForward(oneToMany, Matrix.Scalar(0.3));
        JacobianResult reverse2 = Derivatives.JacobianReverse(oneToMany, Matrix.Scalar(0.3));
        Assert.That((forward2.ForwardPasses, forward2.ReversePasses), Is.EqualTo((1, 0)));
        Assert.That((reverse2.ForwardPasses, reverse2.ReversePasses), Is.EqualTo((1, n)));
        Assert.That(forward2.ForwardEvaluations, Is.EqualTo(2L));
        Assert.That(reverse2.BackwardEvaluations, Is.EqualTo(2L * n));
        Assert.That(reverse2.Jacobian.ToArray(), Is.EqualTo(forward2.Jacobian.ToArray()).Within(Tol));
        Assert.That(reverse.Jacobian.ToArray(), Is.EqualTo(forward.Jacobian.ToArray()).Within(Tol));
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void HessianVectorProductGivesTheSecondDerivativeOfTanh(int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < 5; i++)
        {
            double x = 6 * random.NextDouble() - 3, t = Math.Tanh(x);
            Matrix[] hv = Derivatives.HessianVectorProduct((g, v) => g.Tanh(v[0]), new[] { Matrix.Scalar(x) }, new[] { Matrix.Scalar(1) });
            Assert.That(hv[0][0], Is.EqualTo(-2 * t * (1 - t * t)).Within(Tol));
        }
    }

    [Test]
    public void HessianVectorProductOfAQuadraticFormIsTheSymmetrizedMatrixTimesV()
    {
        Matrix a = Seeded.Uniform(13, 4, 4), x = Seeded.Uniform(14, 4, 1), v = Seeded.Uniform(15, 4, 1);
        // f(x) = ½ xᵀ A x, ∇²f = (A + Aᵀ) / 2
        Matrix[] hv = Derivatives.HessianVectorProduct(
            (g, p) => 0.5 * g.Sum(g.MatMul(g.Transpose(p[0]), g.MatMul(g.Constant(a), p[0]))), new[] { x }, new[] { v });
        for (int r = 0; r < 4; r++)
        {
            double expected = 0;
            for (int c = 0; c < 4; c++)
            {
                expected += 0.5 * (a[r, c] + a[c, r]) * v[c];
            }
            Assert.That(hv[0][r], Is.EqualTo(expected).Within(Tol));
        }
    }

    [Test]
    public void HessianVectorProductOfATwoLayerClassifierMatchesDifferencesOfTheGradient()
    {
        Matrix input = Seeded.Uniform(16, 5, 3), targets = new(5, 2);
        for (int r = 0; r < 5; r++)
        {
            targets[r, r % 2] = 1;
        }
        // loss = −mean over rows of Σ targets ⊙ log-softmax(tanh(X·W1ᵀ + b1)·W2ᵀ + b2)
        Func<Graph, Node[], Node> loss = (g, p) =>
        {
            Node hidden = g.Tanh(g.MatMul(g.Constant(input), g.Transpose(p[0])) + p[1]);
            Node logits = g.MatMul(hidden, g.Transpose(p[2])) + p[3];
            return -1.0 / 5 * g.Sum(g.LogSoftmax(logits) * g.Constant(targets));
        };
        Matrix[] point = { Seeded.Uniform(17, 4, 3), Seeded.Uniform(18, 1, 4), Seeded.Uniform(19, 2, 4), Seeded.Uniform(20, 1, 2) };
        Matrix[] direction = { Seeded.Uniform(21, 4, 3), Seeded.Uniform(22, 1, 4), Seeded.Uniform(23, 2, 4), Seeded.Uniform(24, 1, 2) };

        Matrix[] hv = Derivatives.HessianVectorProduct(loss, point, direction);

        const double h = 1e-5;
        var plus = new Matrix[4];
        var minus = new Matrix[4];
        for (int i = 0; i < 4; i++)
        {
            plus[i] = Seeded.Plus(point[i], Seeded.Scaled(direction[i], h));
            minus[i] = Seeded.Plus(point[i], Seeded.Scaled(direction[i], -h));
        }
        Matrix[] gp = Derivatives.Gradient(loss, plus), gm = Derivatives.Gradient(loss, minus);
        for (int i = 0; i < 4; i++)
        {
            for (int e = 0; e < point[i].Length; e++)
            {
                Assert.That(hv[i][e], Is.EqualTo((gp[i][e] - gm[i][e]) / (2 * h)).Within(1e-7));
            }
        }
    }

    [Test]
    public void BadArgumentsThrowClearly()
    {
        Func<Graph, Node[], Node> identity = (g, x) => x[0];
        Assert.That(() => Derivatives.Gradient(identity, new Matrix(2, 2)),
            Throws.ArgumentException.With.Message.StartsWith("backward: output (2, 2) is not a scalar"));
        Assert.That(() => Derivatives.Gradient(identity), Throws.ArgumentException);
        Assert.That(() => Derivatives.JacobianVectorProduct(identity, new[] { new Matrix(1, 2) }, new[] { new Matrix(2, 1) }),
            Throws.ArgumentException.With.Message.StartsWith("variable: tangent (2, 1) does not match value (1, 2)"));
        Assert.That(() => Derivatives.JacobianVectorProduct(identity, new[] { new Matrix(1, 2) }, Array.Empty<Matrix>()),
            Throws.ArgumentException);
        Assert.That(() => Derivatives.Gradient((g, x) => null!, Matrix.Scalar(1)), Throws.InvalidOperationException);
        Assert.That(() => Derivatives.Gradient((g, x) => new Graph().Constant(1), Matrix.Scalar(1)), Throws.InvalidOperationException);
    }
}
