using System;
using Cortex.Autodiff;
using Cortex.Learning;
using NUnit.Framework;

namespace Cortex.Tests.Learning;

/// <summary>SAC's hand-written objective gradients (and the critics' input gradient) against reverse mode, forward mode and finite differences.</summary>
[TestFixture]
public sealed class SacLossTests
{
    private const float MinLogStd = -5f, MaxLogStd = 1f;
    private const double HalfLog2Pi = 0.91893853320467274178;

    [Test]
    public void TanhGaussianLogProbabilityIsTheChangeOfVariables()
    {
        float[] row = { 0.3f, -1.2f, -0.4f, 0.2f }, noise = { 0.7f, -1.5f }, action = new float[2];
        double logProb = SacLoss.Sample(row, noise, action, MinLogStd, MaxLogStd);
        double expected = 0;
        for (int j = 0; j < 2; j++)
        {
            double sigma = Math.Exp(row[2 + j]), u = row[j] + sigma * noise[j];
            Assert.That(action[j], Is.EqualTo(Math.Tanh(u)).Within(1e-6));
            double gaussian = -(u - row[j]) * (u - row[j]) / (2 * sigma * sigma) - Math.Log(sigma) - HalfLog2Pi;
            expected += gaussian - Math.Log(1 - Math.Tanh(u) * Math.Tanh(u));
        }
        Assert.That(logProb, Is.EqualTo(expected).Within(1e-9));
        Assert.That(SacLoss.LogOneMinusTanhSquared(30.0), Is.EqualTo(2 * (Math.Log(2) - 30.0)).Within(1e-9), "stable far in the tail");
    }

    [Test]
    public void ActorLossMatchesTheOracles()
    {
        const int n = 5, a = 2;
        const float alpha = 0.3f;
        var random = new SeededRandom(21);
        float[] outputs = new float[n * 2 * a], noise = new float[n * a], dQdAction = new float[n * a], dOutputs = new float[n * 2 * a];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < a; j++)
            {
                outputs[i * 2 * a + j] = random.NextFloat(-1.5f, 1.5f);
                outputs[i * 2 * a + a + j] = random.NextFloat(-1.5f, 0.5f);
                noise[i * a + j] = random.NextGaussian();
            }
        }
        outputs[2 * a + a] = -7f;   // one clamped log σ: no gradient through it
        // A known critic: Q(a) = Σ_j c_j·a_j + d_j·a_j², so dQ/da_j = c_j + 2·d_j·a_j.
        double[] c = { 0.8, -0.5 }, d = { -0.6, 0.4 };
        float[] sampled = new float[n * a];
        for (int i = 0; i < n; i++) SacLoss.Sample(outputs.AsSpan(i * 2 * a, 2 * a), noise.AsSpan(i * a, a), sampled.AsSpan(i * a, a), MinLogStd, MaxLogStd);
        for (int k = 0; k < n * a; k++) dQdAction[k] = (float)(c[k % a] + 2 * d[k % a] * sampled[k]);
        SacLoss.Actor(outputs, noise, dQdAction, alpha, MinLogStd, MaxLogStd, n, a, dOutputs, out _);

        Node Graph(Graph g, Node[] p)
        {
            Node total = g.Constant(0);
            for (int i = 0; i < n; i++)
            {
                Node row = g.MatMul(g.Constant(PolicyObjectiveGraphs.RowSelector(n, i)), p[0]);
                for (int j = 0; j < a; j++)
                {
                    Node mean = g.MatMul(row, g.Constant(Pick(2 * a, j)));
                    Node logStd = PolicyObjectiveGraphs.Clip(g, g.MatMul(row, g.Constant(Pick(2 * a, a + j))), MinLogStd, MaxLogStd);
                    double e = noise[i * a + j];
                    Node u = mean + g.Exp(logStd) * e, t = g.Tanh(u);
                    Node logProb = -0.5 * e * e - logStd - HalfLog2Pi - g.Log(1.0 - g.Square(t));
                    Node q = c[j] * t + d[j] * g.Square(t);
                    total = total + alpha * logProb - q;
                }
            }
            return total / n;
        }
        double Reference(Matrix[] p)
        {
            double total = 0;
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < a; j++)
                {
                    double logStd = Math.Max(MinLogStd, Math.Min(MaxLogStd, p[0][i, a + j])), e = noise[i * a + j];
                    double u = p[0][i, j] + Math.Exp(logStd) * e, t = Math.Tanh(u);
                    double logProb = -0.5 * e * e - logStd - HalfLog2Pi - Math.Log(1 - t * t);
                    total += alpha * logProb - (c[j] * t + d[j] * t * t);
                }
            }
            return total / n;
        }
        var points = new[] { new Matrix(PpoLossTests.ToDouble(outputs), n, 2 * a) };
        var report = ObjectiveCheck.Run("SAC actor loss (tanh-squashed Gaussian)", Graph, Reference, points, dOutputs);
        Assert.That(report.Passed, Is.True, report.ToString());
        Assert.That(dOutputs[2 * a + a], Is.EqualTo(0f), "the clamped log σ gets no gradient");
    }

    [Test]
    public void CriticAndTemperatureLossesMatchTheOracles()
    {
        const int n = 7;
        var random = new SeededRandom(22);
        float[] q = new float[n], targets = new float[n], dQ = new float[n];
        for (int i = 0; i < n; i++) { q[i] = random.NextFloat(-3f, 3f); targets[i] = random.NextFloat(-3f, 3f); }
        double loss = SacLoss.Critic(q, targets, n, dQ);
        var y = new Matrix(PpoLossTests.ToDouble(targets), n, 1);
        Node Graph(Graph g, Node[] p) => 0.5 * g.Mean(g.Square(p[0] - g.Constant(y)));
        double Reference(Matrix[] p)
        {
            double s = 0;
            for (int i = 0; i < n; i++) s += 0.5 * (p[0][i] - targets[i]) * (p[0][i] - targets[i]);
            return s / n;
        }
        var points = new[] { new Matrix(PpoLossTests.ToDouble(q), n, 1) };
        Assert.That(loss, Is.EqualTo(Reference(points)).Within(1e-6));
        var critic = ObjectiveCheck.Run("SAC critic loss", Graph, Reference, points, dQ);
        Assert.That(critic.Passed, Is.True, critic.ToString());

        const double meanLogProb = 0.7, targetEntropy = -1.0, logAlpha = -0.4;
        double value = SacLoss.Temperature(logAlpha, meanLogProb, targetEntropy, out double dLogAlpha);
        Node Temperature(Graph g, Node[] p) => g.Neg(p[0] * (meanLogProb + targetEntropy));
        double TemperatureReference(Matrix[] p) => -p[0][0] * (meanLogProb + targetEntropy);
        var alphaPoint = new[] { Matrix.Scalar(logAlpha) };
        Assert.That(value, Is.EqualTo(TemperatureReference(alphaPoint)).Within(1e-12));
        var temperature = ObjectiveCheck.Run("SAC temperature loss", Temperature, TemperatureReference, alphaPoint, new[] { (float)dLogAlpha });
        Assert.That(temperature.Passed, Is.True, temperature.ToString());
    }

    [Test]
    public void BackwardToInputsMatchesTheOracles()
    {
        const int n = 4, inputs = 3;
        using Brain brain = Brain.Create(inputs).Dense(5, Activation.Tanh).Dense(2, Activation.Linear).MaxBatch(8).Build(31);
        var random = new SeededRandom(32);
        float[] x = new float[n * inputs], upstream = new float[n * 2], dX = new float[n * inputs], theta = new float[brain.ParameterCount];
        for (int i = 0; i < x.Length; i++) x[i] = random.NextFloat(-1f, 1f);
        for (int i = 0; i < upstream.Length; i++) upstream[i] = random.NextFloat(-1f, 1f);
        brain.CopyParametersTo(theta);
        brain.Forward(x, n);
        brain.BackwardToInputs(upstream, n, dX);
        brain.ZeroGradients();
        // Parameters layout: W0 (5, 3), b0 (5), W1 (2, 5), b1 (2).
        double W0(int o, int i) => theta[o * 3 + i];
        double B0(int o) => theta[15 + o];
        double W1(int o, int i) => theta[20 + o * 5 + i];
        double B1(int o) => theta[30 + o];
        var w0 = new Matrix(PpoLossTests.ToDouble(theta[..15]), 5, 3);
        var b0 = new Matrix(PpoLossTests.ToDouble(theta[15..20]), 1, 5);
        var w1 = new Matrix(PpoLossTests.ToDouble(theta[20..30]), 2, 5);
        var b1 = new Matrix(PpoLossTests.ToDouble(theta[30..32]), 1, 2);
        var g0 = new Matrix(PpoLossTests.ToDouble(upstream), n, 2);
        Node Graph(Graph g, Node[] p)
        {
            Node h = g.Tanh(g.MatMul(p[0], g.Transpose(g.Constant(w0))) + g.MatMul(g.Constant(new Matrix(Ones(n), n, 1)), g.Constant(b0)));
            Node y = g.MatMul(h, g.Transpose(g.Constant(w1))) + g.MatMul(g.Constant(new Matrix(Ones(n), n, 1)), g.Constant(b1));
            return g.Sum(g.Mul(y, g.Constant(g0)));
        }
        double Reference(Matrix[] p)
        {
            double total = 0;
            for (int r = 0; r < n; r++)
            {
                double[] h = new double[5];
                for (int o = 0; o < 5; o++)
                {
                    double z = B0(o);
                    for (int i = 0; i < inputs; i++) z += W0(o, i) * p[0][r, i];
                    h[o] = Math.Tanh(z);
                }
                for (int o = 0; o < 2; o++)
                {
                    double z = B1(o);
                    for (int i = 0; i < 5; i++) z += W1(o, i) * h[i];
                    total += z * upstream[r * 2 + o];
                }
            }
            return total;
        }
        var points = new[] { new Matrix(PpoLossTests.ToDouble(x), n, inputs) };
        var report = ObjectiveCheck.Run("Brain input gradient", Graph, Reference, points, dX);
        Assert.That(report.Passed, Is.True, report.ToString());
    }

    private static Matrix Pick(int k, int index)
    {
        var m = new Matrix(k, 1);
        m[index, 0] = 1;
        return m;
    }

    private static double[] Ones(int n)
    {
        double[] v = new double[n];
        Array.Fill(v, 1.0);
        return v;
    }
}
