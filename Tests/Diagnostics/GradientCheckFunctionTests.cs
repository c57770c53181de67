using System;
using Cortex.Autodiff;
using Cortex.Diagnostics;
using Cortex.Tests.Autodiff;
using NUnit.Framework;

namespace Cortex.Tests.Diagnostics;

[TestFixture]
public sealed class GradientCheckFunctionTests
{
    private const int Batch = 4, In = 3, Out = 2;

    /// <summary>loss = mean((tanh(X·Wᵀ + b) − T)²), the way a Dense + tanh + MSE brain computes it.</summary>
    private static Func<Graph, Node[], Node> DenseTanhMse(Matrix targets) => (g, p) =>
    {
        Node y = g.Tanh(g.MatMul(p[0], g.Transpose(p[1])) + p[2]);   // y (B, Out) = tanh(x (B, In) · wᵀ (In, Out) + b (1, Out))
        return g.Mean(g.Square(y - g.Constant(targets)));
    };

    /// <summary>A hand-written backward in float, as the core's layers will do it.</summary>
    private static (float[] dX, float[] dW, float[] dB) HandWritten(float[] x, float[] w, float[] b, float[] t)
    {
        float[] dX = new float[Batch * In], dW = new float[Out * In], dB = new float[Out];
        for (int r = 0; r < Batch; r++)
        {
            for (int o = 0; o < Out; o++)
            {
                float z = b[o];
                for (int i = 0; i < In; i++)
                {
                    z += x[r * In + i] * w[o * In + i];
                }
                float y = MathF.Tanh(z);
                float dY = 2f * (y - t[r * Out + o]) / (Batch * Out);
                float dZ = dY * (1 - y * y);
                dB[o] += dZ;                                  // db += Σ_rows dZ
                for (int i = 0; i < In; i++)
                {
                    dW[o * In + i] += dZ * x[r * In + i];     // dW += dZᵀ·X
                    dX[r * In + i] += dZ * w[o * In + i];     // dX = dZ·W
                }
            }
        }
        return (dX, dW, dB);
    }

    private static float[] Floats(int seed, int length)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)(2 * random.NextDouble() - 1);
        }
        return values;
    }

    private static (Matrix[] Inputs, Matrix[] Expected, Func<Graph, Node[], Node> Loss) DenseCase()
    {
        float[] x = Floats(1, Batch * In), w = Floats(2, Out * In), b = Floats(3, Out), t = Floats(4, Batch * Out);
        var (dX, dW, dB) = HandWritten(x, w, b, t);
        Matrix[] inputs = { Matrix.FromSingle(x, Batch, In), Matrix.FromSingle(w, Out, In), Matrix.FromSingle(b, 1, Out) };
        Matrix[] expected = { Matrix.FromSingle(dX, Batch, In), Matrix.FromSingle(dW, Out, In), Matrix.FromSingle(dB, 1, Out) };
        return (inputs, expected, DenseTanhMse(Matrix.FromSingle(t, Batch, Out)));
    }

    [Test]
    public void AHandWrittenFloatBackwardPassesTheThreeWayCheck()
    {
        var (inputs, expected, loss) = DenseCase();

        GradientCheckReport report = GradientCheck.Function(loss, inputs, expected, new GradientTolerance(1e-6, 1e-4));

        Assert.That(report.Passed, Is.True, report.ToString());
        const int elements = Batch * In + Out * In + Out;
        Assert.That(report.AgainstReverse.Checked, Is.EqualTo(elements));
        Assert.That(report.AgainstForward.Checked, Is.EqualTo(elements));
        Assert.That(report.AgainstFiniteDifferences.Checked, Is.EqualTo(elements));
        Assert.That(report.HandWritten[Batch * In + 1 * In + 2], Is.EqualTo(expected[1][1, 2]));
        Assert.That(report.AgainstReverse.MaxAbsoluteError, Is.LessThan(1e-6));
    }

    [Test]
    public void AWrongElementFailsAndTheReportSaysWhere()
    {
        var (inputs, expected, loss) = DenseCase();
        expected[1][1, 2] += 0.01;   // a bug in dW[1, 2]

        GradientCheckReport report = GradientCheck.Function(loss, inputs, expected, new GradientTolerance(1e-6, 1e-4));

        Assert.That(report.Passed, Is.False);
        foreach (GradientComparison comparison in new[] { report.AgainstReverse, report.AgainstForward, report.AgainstFiniteDifferences })
        {
            Assert.That(comparison.Failures, Is.EqualTo(1), comparison.ToString());
            Assert.That(comparison.WorstIndex, Is.EqualTo(Batch * In + 1 * In + 2));
            Assert.That(comparison.Worst, Does.StartWith("input 1 [1,2]: hand-written "));
            Assert.That(comparison.Worst, Does.Contain(" vs " + comparison.Method + " "));
            Assert.That(comparison.MaxAbsoluteError, Is.EqualTo(0.01).Within(1e-6));
        }
        Assert.That(report.ToString(), Does.StartWith("hand-written gradient: FAILED"));
    }

    [Test]
    public void ReverseForwardAndDifferencesAgreeOnLosses()
    {
        Matrix logits = Seeded.Uniform(5, 3, 4), oneHot = new(3, 4), signs = Seeded.AwayFromZero(6, 3, 4, 1, 1);
        for (int r = 0; r < 3; r++)
        {
            oneHot[r, (r + 1) % 4] = 1;
        }
        Func<Graph, Node[], Node> crossEntropy = (g, z) => -1.0 / 3 * g.Sum(g.LogSoftmax(z[0]) * g.Constant(oneHot));
        Func<Graph, Node[], Node> hinge = (g, z) => g.Mean(g.Max(g.Constant(0), 1 - z[0] * g.Constant(signs)));
        var tight = new GradientTolerance(1e-8, 1e-6);

        GradientCheckReport ce = GradientCheck.Function(crossEntropy, new[] { logits }, tolerance: tight);
        GradientCheckReport hi = GradientCheck.Function(hinge, new[] { Seeded.Scaled(logits, 0.37) }, tolerance: tight);

        Assert.That(ce.Passed, Is.True, ce.ToString());
        Assert.That(hi.Passed, Is.True, hi.ToString());
        Assert.That(ce.AgainstFiniteDifferences.Skipped, Is.EqualTo(0), "cross-entropy is smooth");
        // softmax cross-entropy: ∂/∂z = (softmax(z) − onehot) / rows
        for (int r = 0; r < 3; r++)
        {
            double max = double.NegativeInfinity, sum = 0;
            for (int c = 0; c < 4; c++)
            {
                max = Math.Max(max, logits[r, c]);
            }
            for (int c = 0; c < 4; c++)
            {
                sum += Math.Exp(logits[r, c] - max);
            }
            for (int c = 0; c < 4; c++)
            {
                double expected = (Math.Exp(logits[r, c] - max) / sum - oneHot[r, c]) / 3;
                Assert.That(ce.Reverse[r * 4 + c], Is.EqualTo(expected).Within(1e-14));
            }
        }
    }

    [Test]
    public void InputsAreNotModified()
    {
        Matrix x = Seeded.Uniform(7, 2, 2);
        double[] before = x.ToArray();
        GradientCheck.Function((g, p) => g.Sum(g.Exp(p[0])), new[] { x }, tolerance: new GradientTolerance(1e-8, 1e-6));
        Assert.That(x.ToArray(), Is.EqualTo(before));
    }

    [Test]
    public void BadArgumentsThrow()
    {
        Matrix[] x = { Matrix.Scalar(1) };
        Func<Graph, Node[], Node> f = (g, p) => g.Exp(p[0]);
        Assert.That(() => GradientCheck.Function(f, x, tolerance: new GradientTolerance(-1, 0)), Throws.ArgumentException);
        Assert.That(() => GradientCheck.Function(f, x, tolerance: new GradientTolerance(0, double.NaN)), Throws.ArgumentException);
        Assert.That(() => GradientCheck.Function(f, x, new[] { new Matrix(1, 2) }),
            Throws.ArgumentException.With.Message.StartsWith("Hand-written gradient 0 is (1, 2), input is (1, 1)"));
        Assert.That(() => GradientCheck.Function((g, p) => g.Exp(p[0]), new[] { new Matrix(1, 2) }),
            Throws.ArgumentException.With.Message.StartsWith("backward: output (1, 2) is not a scalar"));
    }
}
