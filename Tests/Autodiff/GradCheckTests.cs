using System;
using Cortex.Autodiff;
using NUnit.Framework;

namespace Cortex.Tests.Autodiff;

[TestFixture]
public sealed class GradCheckTests
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

        GradCheckReport report = GradCheck.Run(loss, inputs, absoluteTolerance: 1e-6, relativeTolerance: 1e-4, expected);

        Assert.That(report.Passed, Is.True, report.ToString());
        Assert.That(report.Comparisons, Is.EqualTo(3 * (Batch * In + Out * In + Out)));
        Assert.That(report.Elements, Is.EqualTo(Batch * In + Out * In + Out));
        Assert.That(report.Expected, Is.SameAs(expected));
        Assert.That(report.MaxAbsoluteError, Is.LessThan(1e-6));
    }

    [Test]
    public void AWrongElementFailsAndTheReportSaysWhere()
    {
        var (inputs, expected, loss) = DenseCase();
        expected[1][1, 2] += 0.01;   // a bug in dW[1, 2]

        GradCheckReport report = GradCheck.Run(loss, inputs, 1e-6, 1e-4, expected);

        Assert.That(report.Passed, Is.False);
        Assert.That(report.Failures, Is.EqualTo(1));
        Assert.That((report.WorstInput, report.WorstIndex), Is.EqualTo((1, 1 * In + 2)));
        Assert.That(report.Worst, Does.StartWith("input 1 (1, 2): expected "));
        Assert.That(report.Worst, Does.Contain(" vs reverse "));
        Assert.That(report.MaxAbsoluteError, Is.EqualTo(0.01).Within(1e-6));
        Assert.That(report.ToString(), Does.StartWith("grad check FAILED: 1 of"));
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

        GradCheckReport ce = GradCheck.Run(crossEntropy, new[] { logits }, 1e-8, 1e-6);
        GradCheckReport hi = GradCheck.Run(hinge, new[] { Seeded.Scaled(logits, 0.37) }, 1e-8, 1e-6);

        Assert.That(ce.Passed, Is.True, ce.ToString());
        Assert.That(hi.Passed, Is.True, hi.ToString());
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
                Assert.That(ce.Reverse[0][r, c], Is.EqualTo(expected).Within(1e-14));
            }
        }
    }

    [Test]
    public void InputsAreNotModified()
    {
        Matrix x = Seeded.Uniform(7, 2, 2);
        double[] before = x.ToArray();
        GradCheck.Run((g, p) => g.Sum(g.Exp(p[0])), new[] { x }, 1e-8, 1e-6);
        Assert.That(x.ToArray(), Is.EqualTo(before));
    }

    [Test]
    public void BadArgumentsThrow()
    {
        Matrix[] x = { Matrix.Scalar(1) };
        Func<Graph, Node[], Node> f = (g, p) => g.Exp(p[0]);
        Assert.That(() => GradCheck.Run(f, x, -1, 0), Throws.ArgumentException);
        Assert.That(() => GradCheck.Run(f, x, 0, double.NaN), Throws.ArgumentException);
        Assert.That(() => GradCheck.Run(f, x, 0, 0, step: 0), Throws.ArgumentException);
        Assert.That(() => GradCheck.Run(f, x, 0, 0, new[] { new Matrix(1, 2) }),
            Throws.ArgumentException.With.Message.StartsWith("grad check: expected gradient 0 is (1, 2), input is (1, 1)"));
        Assert.That(() => GradCheck.Run((g, p) => g.Exp(p[0]), new[] { new Matrix(1, 2) }, 0, 0),
            Throws.ArgumentException.With.Message.StartsWith("backward: output (1, 2) is not a scalar"));
    }
}
