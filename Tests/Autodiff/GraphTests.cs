using System;
using Cortex.Autodiff;
using NUnit.Framework;

namespace Cortex.Tests.Autodiff;

[TestFixture]
public sealed class GraphTests
{
    private const double Tol = 1e-12;

    // ---- The notes' gates ----------------------------------------------------------------------

    [Test]
    public void AddGateDistributesTheGradient()
    {
        var g = new Graph();
        Node a = g.Variable(2), b = g.Variable(-7);
        g.Backward(g.Add(a, b), Matrix.Scalar(3));
        Assert.That(a.Gradient, Is.EqualTo(3).Within(Tol));
        Assert.That(b.Gradient, Is.EqualTo(3).Within(Tol));
    }

    [Test]
    public void MaxGateRoutesTheGradientToTheLarger()
    {
        var g = new Graph();
        Node a = g.Variable(2), b = g.Variable(-7);
        g.Backward(g.Max(a, b), Matrix.Scalar(3));
        Assert.That(a.Gradient, Is.EqualTo(3).Within(Tol));
        Assert.That(b.Gradient, Is.EqualTo(0).Within(Tol));
    }

    [Test]
    public void MulGateSwapsTheMultipliers()
    {
        var g = new Graph();
        Node a = g.Variable(2), b = g.Variable(-7);
        g.Backward(g.Mul(a, b), Matrix.Scalar(3));
        Assert.That(a.Gradient, Is.EqualTo(3 * -7).Within(Tol));
        Assert.That(b.Gradient, Is.EqualTo(3 * 2).Within(Tol));
    }

    [Test]
    public void CopyGateAddsTheGradients()
    {
        var g = new Graph();
        Node x = g.Variable(1.5);
        Node y = x * 2 + x * 3 + g.Sin(x);   // x fans out three times
        g.Backward(y);
        Assert.That(x.Gradient, Is.EqualTo(2 + 3 + Math.Cos(1.5)).Within(Tol));
    }

    [Test]
    public void SameNodeAsBothOperandsCountsTwice()
    {
        var g = new Graph();
        Node x = g.Variable(1.5, tangent: 1);
        Node y = x * x;
        g.Backward(y);
        Assert.That(x.Gradient, Is.EqualTo(3).Within(Tol));
        Assert.That(y.Tangent, Is.EqualTo(3).Within(Tol));
        Assert.That(x.GradientTangent, Is.EqualTo(2).Within(Tol));
    }

    // ---- Kinks: documented conventions, the same in both modes -----------------------------------

    private static (double Reverse, double Forward) At(double x, Func<Graph, Node, Node> op)
    {
        var g = new Graph();
        Node v = g.Variable(x, tangent: 1);
        Node y = op(g, v);
        g.Backward(y);
        return (v.Gradient, y.Tangent);
    }

    [TestCase(0.0, 0.0)]
    [TestCase(-1e-300, 0.0)]
    [TestCase(1e-300, 1.0)]
    public void ReluDerivativeIsZeroAtZero(double x, double expected)
    {
        var (reverse, forward) = At(x, (g, v) => g.Relu(v));
        Assert.That(reverse, Is.EqualTo(expected).Within(Tol));
        Assert.That(forward, Is.EqualTo(expected).Within(Tol));
    }

    [TestCase(-1.0)]
    [TestCase(0.0)]
    [TestCase(2.0)]
    public void BinaryStepDerivativeIsZeroEverywhere(double x)
    {
        var (reverse, forward) = At(x, (g, v) => g.BinaryStep(v));
        Assert.That(reverse, Is.EqualTo(0).Within(Tol));
        Assert.That(forward, Is.EqualTo(0).Within(Tol));
    }

    [Test]
    public void BinaryStepIsOneFromZeroOn()
    {
        var g = new Graph();
        Node y = g.BinaryStep(g.Constant(new Matrix(new[] { -0.5, 0, 0.5 }, 1, 3)));
        Assert.That(y.Values().ToArray(), Is.EqualTo(new[] { 0.0, 1, 1 }));
    }

    [Test]
    public void LeakyReluDerivativeIsOneAtZero()
    {
        var (reverse, forward) = At(0, (g, v) => g.LeakyRelu(v, 0.01));
        Assert.That(reverse, Is.EqualTo(1).Within(Tol));
        Assert.That(forward, Is.EqualTo(1).Within(Tol));
        Assert.That(At(-3, (g, v) => g.LeakyRelu(v, 0.01)).Reverse, Is.EqualTo(0.01).Within(Tol));
    }

    [TestCase(1.0)]
    [TestCase(0.5)]
    public void EluDerivativeIsAlphaAtZero(double alpha)
    {
        var (reverse, forward) = At(0, (g, v) => g.Elu(v, alpha));
        Assert.That(reverse, Is.EqualTo(alpha).Within(Tol));
        Assert.That(forward, Is.EqualTo(alpha).Within(Tol));
    }

    [Test]
    public void AbsAndHingeHaveSubgradientZeroAtTheKink()
    {
        Assert.That(At(0, (g, v) => g.Abs(v)).Reverse, Is.EqualTo(0).Within(Tol));
        Assert.That(At(0, (g, v) => g.Abs(v)).Forward, Is.EqualTo(0).Within(Tol));
        // hinge: max(0, 1 − z) at z = 1
        Assert.That(At(1, (g, v) => g.Max(g.Constant(0), 1 - v)).Reverse, Is.EqualTo(0).Within(Tol));
        Assert.That(At(1, (g, v) => g.Max(g.Constant(0), 1 - v)).Forward, Is.EqualTo(0).Within(Tol));
    }

    [Test]
    public void MaxTieRoutesToTheFirstArgument()
    {
        var g = new Graph();
        Node a = g.Variable(4, tangent: 1), b = g.Variable(4, tangent: 10);
        Node y = g.Max(a, b);
        g.Backward(y);
        Assert.That(a.Gradient, Is.EqualTo(1).Within(Tol));
        Assert.That(b.Gradient, Is.EqualTo(0).Within(Tol));
        Assert.That(y.Tangent, Is.EqualTo(1).Within(Tol));
    }

    [Test]
    public void RowMaxTieRoutesToTheFirstLargest()
    {
        var g = new Graph();
        Node x = g.Variable(new Matrix(new[] { 1.0, 5, 5, 2, 2, 0 }, 2, 3));
        g.Backward(g.Sum(g.RowMaxes(x)));
        Assert.That(x.Gradients().ToArray(), Is.EqualTo(new[] { 0.0, 1, 0, 1, 0, 0 }));
    }

    // ---- Reverse mode: what a second backward does ------------------------------------------------

    [Test]
    public void SecondBackwardGivesTheSameGradientsNotDouble()
    {
        var g = new Graph();
        Node x = g.Variable(0.3);
        Node y = g.Tanh(x) * x;
        g.Backward(y);
        double first = x.Gradient;
        g.Backward(y);
        Assert.That(x.Gradient, Is.EqualTo(first).Within(0));
        Assert.That(g.BackwardPasses, Is.EqualTo(2));
    }

    [Test]
    public void BackwardOfAnotherOutputReplacesTheGradients()
    {
        var g = new Graph();
        Node x = g.Variable(0.3), w = g.Variable(2);
        Node y1 = x * w, y2 = g.Exp(x);
        g.Backward(y1);
        g.Backward(y2);
        Assert.That(x.Gradient, Is.EqualTo(Math.Exp(0.3)).Within(Tol));
        Assert.That(w.Gradient, Is.EqualTo(0).Within(0));   // y2 does not use w
        Assert.That(y1.Gradient, Is.EqualTo(0).Within(0));
    }

    [Test]
    public void ConstantsAndUnreachedNodesHaveZeroGradient()
    {
        var g = new Graph();
        Node c = g.Constant(3), x = g.Variable(2), unused = g.Variable(9);
        Node y = c * x;
        g.Backward(y);
        Assert.That(x.Gradient, Is.EqualTo(3).Within(Tol));
        Assert.That(c.Gradient, Is.EqualTo(0));
        Assert.That(unused.Gradient, Is.EqualTo(0));
        Assert.That(c.RequiresGradient, Is.False);
        Assert.That(y.RequiresGradient, Is.True);
    }

    [Test]
    public void GradientsAreZeroBeforeAnyBackward()
    {
        var g = new Graph();
        Node x = g.Variable(new Matrix(2, 2));
        Assert.That(x.Gradients().ToArray(), Is.EqualTo(new double[4]));
        Assert.That(x.GradientAt(3), Is.EqualTo(0));
    }

    [Test]
    public void AChainOfAHundredThousandNodesDifferentiatesWithoutRecursion()
    {
        const int length = 100_000;
        var g = new Graph();
        Node x = g.Variable(0.5, tangent: 1);
        Node y = x;
        for (int i = 0; i < length; i++)
        {
            y = g.Add(y, x);   // y = (i + 2)·x: a chain, and x fans out to every link
        }

        g.Backward(y);

        Assert.That(g.NodeCount, Is.EqualTo(length + 1));
        Assert.That(x.Gradient, Is.EqualTo(length + 1).Within(Tol));
        Assert.That(y.Tangent, Is.EqualTo(length + 1).Within(Tol));
        Assert.That(g.BackwardEvaluations, Is.EqualTo(length));
    }

    // ---- Tensors --------------------------------------------------------------------------------

    [Test]
    public void RowVectorBiasBroadcastsOverRowsAndItsGradientIsTheColumnSum()
    {
        var g = new Graph();
        Matrix upstream = Seeded.Uniform(3, 4, 2);
        Node x = g.Variable(Seeded.Uniform(1, 4, 3)), w = g.Variable(Seeded.Uniform(2, 2, 3));
        Node b = g.Variable(new Matrix(new[] { 0.5, -1 }, 1, 2));
        Node z = g.MatMul(x, g.Transpose(w)) + b;   // z (B, Out) = x (B, In) · wᵀ (In, Out) + b (1, Out)

        g.Backward(z, upstream);

        Assert.That(z.Shape, Is.EqualTo(new Shape(4, 2)));
        for (int o = 0; o < 2; o++)
        {
            double sum = 0;
            for (int r = 0; r < 4; r++)
            {
                sum += upstream[r, o];
                double expectedZ = b.ValueAt(o);
                for (int i = 0; i < 3; i++)
                {
                    expectedZ += x.ValueAt(r * 3 + i) * w.ValueAt(o * 3 + i);
                }
                Assert.That(z.ValueAt(r * 2 + o), Is.EqualTo(expectedZ).Within(Tol));
            }
            Assert.That(b.GradientAt(o), Is.EqualTo(sum).Within(Tol));
        }
        // dW = dZᵀ · X
        for (int o = 0; o < 2; o++)
        {
            for (int i = 0; i < 3; i++)
            {
                double expected = 0;
                for (int r = 0; r < 4; r++)
                {
                    expected += upstream[r, o] * x.ValueAt(r * 3 + i);
                }
                Assert.That(w.GradientAt(o * 3 + i), Is.EqualTo(expected).Within(Tol));
            }
        }
    }

    [Test]
    public void MatMulMultipliesRowMajor()
    {
        var g = new Graph();
        Node a = g.Constant(new Matrix(new double[] { 1, 2, 3, 4, 5, 6 }, 2, 3));
        Node b = g.Constant(new Matrix(new double[] { 7, 8, 9, 10, 11, 12 }, 3, 2));
        Assert.That(g.MatMul(a, b).Values().ToArray(), Is.EqualTo(new double[] { 58, 64, 139, 154 }));
        Assert.That(g.Transpose(a).Values().ToArray(), Is.EqualTo(new double[] { 1, 4, 2, 5, 3, 6 }));
        Assert.That(g.RowSums(a).Values().ToArray(), Is.EqualTo(new double[] { 6, 15 }));
        Assert.That(g.ColumnSums(a).Values().ToArray(), Is.EqualTo(new double[] { 5, 7, 9 }));
        Assert.That(g.Mean(a).Value, Is.EqualTo(3.5).Within(Tol));
    }

    [Test]
    public void SoftmaxRowsSumToOneAndStayFiniteForLargeLogits()
    {
        var g = new Graph();
        Node x = g.Variable(new Matrix(new[] { 1000.0, 1001, 999, -5, 0, 5 }, 2, 3));
        Node p = g.Softmax(x), logP = g.LogSoftmax(x);
        for (int r = 0; r < 2; r++)
        {
            double sum = 0;
            for (int c = 0; c < 3; c++)
            {
                sum += p.ValueAt(r * 3 + c);
                Assert.That(Math.Log(p.ValueAt(r * 3 + c)), Is.EqualTo(logP.ValueAt(r * 3 + c)).Within(1e-12));
            }
            Assert.That(sum, Is.EqualTo(1).Within(1e-15));
        }
        g.Backward(g.Sum(logP * g.Constant(Seeded.Uniform(5, 2, 3))));
        for (int i = 0; i < 6; i++)
        {
            Assert.That(double.IsFinite(x.GradientAt(i)), Is.True);
        }
    }

    [Test]
    public void SigmoidAndSoftplusAreStableAtExtremes()
    {
        var g = new Graph();
        Node x = g.Variable(new Matrix(new[] { -800.0, 800 }, 1, 2));
        Node s = g.Sigmoid(x), sp = g.Softplus(x);
        g.Backward(g.Sum(s + sp));
        Assert.That(s.Values().ToArray(), Is.EqualTo(new[] { 0.0, 1 }).Within(1e-300));
        Assert.That(sp.ValueAt(0), Is.EqualTo(0).Within(1e-300));
        Assert.That(sp.ValueAt(1), Is.EqualTo(800).Within(1e-12));
        Assert.That(x.Gradients().ToArray(), Is.EqualTo(new[] { 0.0, 1 }).Within(1e-300));
    }

    // ---- Errors ---------------------------------------------------------------------------------

    [Test]
    public void MatMulShapeMismatchNamesBothShapes()
    {
        var g = new Graph();
        Node a = g.Variable(new Matrix(2, 3)), b = g.Variable(new Matrix(4, 5));
        Assert.That(() => g.MatMul(a, b),
            Throws.ArgumentException.With.Message.StartsWith("matmul: left (2, 3) and right (4, 5) do not fit"));
    }

    [Test]
    public void ElementWiseShapeMismatchNamesTheOpAndBothShapes()
    {
        var g = new Graph();
        Node a = g.Variable(new Matrix(2, 3)), b = g.Variable(new Matrix(4, 3));
        Assert.That(() => a + b, Throws.ArgumentException.With.Message.StartsWith("add: left (2, 3) and right (4, 3) do not broadcast"));
        Assert.That(() => g.Mul(a, b), Throws.ArgumentException.With.Message.StartsWith("mul: left (2, 3) and right (4, 3)"));
        Assert.That(() => g.Max(a, g.Variable(new Matrix(2, 2))), Throws.ArgumentException.With.Message.StartsWith("max: left (2, 3) and right (2, 2)"));
    }

    [Test]
    public void OtherShapeErrorsAreArgumentExceptions()
    {
        var g = new Graph();
        Node a = g.Variable(new Matrix(2, 3));
        Assert.That(() => g.Reshape(a, 4, 2), Throws.ArgumentException.With.Message.StartsWith("reshape: (2, 3) cannot become (4, 2)"));
        Assert.That(() => g.Backward(a), Throws.ArgumentException.With.Message.StartsWith("backward: output (2, 3) is not a scalar"));
        Assert.That(() => g.Backward(a, new Matrix(3, 2)),
            Throws.ArgumentException.With.Message.StartsWith("backward: seed (3, 2) does not match output (2, 3)"));
        Assert.That(() => g.Variable(new Matrix(2, 3), new Matrix(1, 3)),
            Throws.ArgumentException.With.Message.StartsWith("variable: tangent (1, 3) does not match value (2, 3)"));
        Assert.That(() => g.Exp(new Graph().Variable(1)), Throws.ArgumentException.With.Message.StartsWith("exp: x belongs to another graph"));
        Assert.That(() => g.Add(a, null!), Throws.ArgumentNullException);
    }

    // ---- Single precision -------------------------------------------------------------------------

    [Test]
    public void FloatInputsAndGradientsRoundTripThroughTheDoubleGraph()
    {
        float[] weights = { 0.25f, -1.5f, 2f, 0.125f };
        var g = new Graph();
        Node w = g.Variable(Matrix.FromSingle(weights, 2, 2));
        g.Backward(g.Sum(w * w * w));
        var gradient = new float[4];
        w.CopyGradientsTo(gradient);
        var values = new float[4];
        w.CopyValuesTo(values);
        Assert.That(values, Is.EqualTo(weights));
        for (int i = 0; i < 4; i++)
        {
            Assert.That(gradient[i], Is.EqualTo(3 * weights[i] * weights[i]).Within(1e-6f));
        }
    }
}
