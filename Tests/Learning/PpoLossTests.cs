using System;
using Cortex.Autodiff;
using Cortex.Learning;
using NUnit.Framework;
using static Cortex.Tests.Learning.PolicyObjectiveGraphs;

namespace Cortex.Tests.Learning;

/// <summary>PPO's hand-written objective gradients against reverse mode, forward mode and finite differences.</summary>
[TestFixture]
public sealed class PpoLossTests
{
    private const float Clip = 0.2f;

    private static readonly object[] Specs =
    {
        new object[] { "discrete, 2 branches, masked", ActionSpec.Discrete(3, 4), true },
        new object[] { "continuous, 2 dimensions", ActionSpec.Continuous(2), false },
        new object[] { "hybrid, masked", ActionSpec.Hybrid(2, 3, 2), true },
    };

    [TestCaseSource(nameof(Specs))]
    public void ClippedSurrogateWithEntropyMatchesTheOracles(string name, ActionSpec spec, bool withMasks)
    {
        const int n = 6;
        const float beta = 0.05f;
        Case c = MakeCase(spec, n, withMasks, seed: 11);
        float[] dOutputs = new float[n * spec.PolicyOutputs];
        double[] dLogStd = new double[spec.ContinuousSize], scratch = new double[Math.Max(1, spec.DiscreteLogits)];
        PpoPolicyStats stats = PpoLoss.Policy(spec, c.Outputs, c.Actions, c.Masks, c.OldLogProbs, c.Advantages, c.LogStd, Clip, beta, n, dOutputs, dLogStd, scratch);
        Assert.That(stats.ClipFraction, Is.GreaterThan(0.0).And.LessThan(1.0), "the case exercises both the clipped and the unclipped side");

        Node Graph(Graph g, Node[] p)
        {
            Node total = g.Constant(0);
            for (int i = 0; i < n; i++)
            {
                (Node logProb, Node entropy) = LogProb(g, spec, p[0], p[p.Length - 1], n, i, c.Actions, c.Masks);
                Node ratio = g.Exp(logProb - c.OldLogProbs[i]);
                Node surrogate = Min(g, ratio * c.Advantages[i], Clip(g, ratio, 1 - Clip, 1 + Clip) * c.Advantages[i]);
                total = total - surrogate - beta * entropy;
            }
            return total / n;
        }
        double Reference(Matrix[] p)
        {
            double total = 0;
            for (int i = 0; i < n; i++)
            {
                double logProb = ReferenceLogProb(spec, p[0], p[p.Length - 1], i, c.Actions, c.Masks, out double entropy);
                double ratio = Math.Exp(logProb - c.OldLogProbs[i]), a = c.Advantages[i];
                total += -Math.Min(ratio * a, Math.Max(1 - Clip, Math.Min(1 + Clip, ratio)) * a) - beta * entropy;
            }
            return total / n;
        }
        Assert.That(stats.Loss, Is.EqualTo(Reference(Points(spec, c, n))).Within(1e-5), "forward value");
        var report = ObjectiveCheck.Run($"PPO surrogate, {name}", Graph, Reference, Points(spec, c, n), Concat(dOutputs, dLogStd));
        Assert.That(report.Passed, Is.True, report.ToString());
    }

    [Test]
    public void MaskedLogitsGetNoGradientAndNoProbability()
    {
        ActionSpec spec = ActionSpec.Discrete(4);
        float[] logits = { 5f, 1f, -1f, 0.5f };
        byte[] masked = { 1, 0, 1, 0 };
        double[] logProbs = new double[4];
        PolicyMath.MaskedLogSoftmax(logProbs, logits, masked);
        Assert.That(Math.Exp(logProbs[0]), Is.EqualTo(0.0), "a masked action has probability exactly 0");
        Assert.That(Math.Exp(logProbs[2]), Is.EqualTo(0.0));
        Assert.That(Math.Exp(logProbs[1]) + Math.Exp(logProbs[3]), Is.EqualTo(1.0).Within(1e-12));
        var random = new SeededRandom(3);
        for (int i = 0; i < 2000; i++)
        {
            int drawn = PolicyMath.SampleCategorical(logProbs, random.NextDouble());
            Assert.That(drawn == 1 || drawn == 3, Is.True, $"drew masked action {drawn}");
        }
        Assert.That(PolicyMath.ArgMaxAllowed(logits, masked), Is.EqualTo(1), "greedy ignores the masked favourite");
        float[] dLogits = new float[4];
        double[] dLogStd = Array.Empty<double>();
        PolicyMath.LogProb(spec, logits, new[] { 3f }, masked, default, logProbs, out _);
        PolicyMath.LogProbBackward(spec, dLogits, dLogStd, logits, new[] { 3f }, default, logProbs, 1.0, 0.3);
        Assert.That(dLogits[0], Is.EqualTo(0f));
        Assert.That(dLogits[2], Is.EqualTo(0f));
        Assert.That(dLogits[3], Is.GreaterThan(0f));
    }

    [TestCase(0f)]
    [TestCase(0.3f)]
    public void ValueLossMatchesTheOracles(float clipRange)
    {
        const int n = 8;
        const float coefficient = 0.5f;
        var random = new SeededRandom(5);
        float[] values = new float[n], returns = new float[n], old = new float[n], dValues = new float[n];
        for (int i = 0; i < n; i++)
        {
            returns[i] = random.NextFloat(-2f, 2f);
            old[i] = random.NextFloat(-2f, 2f);
            // Keep V − V_old away from the clip edges and the two squared errors apart (kinks).
            float change;
            do change = random.NextFloat(-0.8f, 0.8f);
            while (clipRange > 0f && Math.Abs(Math.Abs(change) - clipRange) < 0.05f);
            values[i] = old[i] + change;
        }
        double loss = PpoLoss.Value(values, returns, old, clipRange, coefficient, n, dValues);
        Node Graph(Graph g, Node[] p)
        {
            Node v = p[0], r = g.Constant(new Matrix(ToDouble(returns), n, 1));
            Node squared = g.Square(v - r);
            if (clipRange > 0f)
            {
                Node o = g.Constant(new Matrix(ToDouble(old), n, 1));
                Node clipped = o + Clip(g, v - o, -clipRange, clipRange) - r;
                squared = g.Max(squared, g.Square(clipped));
            }
            return coefficient * g.Sum(squared) / n;
        }
        double Reference(Matrix[] p)
        {
            double total = 0;
            for (int i = 0; i < n; i++)
            {
                double v = p[0][i], e = v - returns[i];
                double s = e * e;
                if (clipRange > 0f)
                {
                    double ce = old[i] + Math.Max(-clipRange, Math.Min(clipRange, v - old[i])) - returns[i];
                    s = Math.Max(s, ce * ce);
                }
                total += s;
            }
            return coefficient * total / n;
        }
        var points = new[] { new Matrix(ToDouble(values), n, 1) };
        Assert.That(loss, Is.EqualTo(Reference(points)).Within(1e-6));
        var report = ObjectiveCheck.Run($"PPO value loss, clip {clipRange}", Graph, Reference, points, dValues);
        Assert.That(report.Passed, Is.True, report.ToString());
        dValues[3] += 1e-2f;   // the check itself must catch a wrong derivative
        Assert.That(ObjectiveCheck.Run("a wrong gradient", Graph, Reference, points, dValues).Passed, Is.False);
    }

    internal sealed record Case(float[] Outputs, float[] LogStd, float[] Actions, byte[] Masks, float[] OldLogProbs, float[] Advantages);

    /// <summary>Seeded rows with actions drawn from the policy, masks leaving each branch an action, and old log-probabilities away from the clip edges.</summary>
    internal static Case MakeCase(ActionSpec spec, int n, bool withMasks, ulong seed)
    {
        var random = new SeededRandom(seed);
        int k = spec.PolicyOutputs, d = spec.DiscreteLogits, m = spec.ActionSize;
        float[] outputs = new float[n * k], logStd = new float[spec.ContinuousSize], actions = new float[n * m];
        float[] oldLogProbs = new float[n], advantages = new float[n];
        byte[] masks = withMasks ? new byte[n * d] : Array.Empty<byte>();
        for (int i = 0; i < outputs.Length; i++) outputs[i] = random.NextFloat(-2f, 2f);
        for (int c = 0; c < logStd.Length; c++) logStd[c] = random.NextFloat(-0.6f, 0.4f);
        for (int i = 0; i < n; i++)
        {
            for (int b = 0; b < spec.BranchCount; b++)
            {
                int offset = spec.BranchOffset(b), size = spec.BranchSize(b), keep = random.NextInt(size);
                if (withMasks) for (int j = 0; j < size; j++) masks[i * d + offset + j] = j != keep && random.NextFloat() < 0.4f ? (byte)1 : (byte)0;
                int choice;
                do choice = random.NextInt(size);
                while (withMasks && masks[i * d + offset + choice] != 0);
                actions[i * m + b] = choice;
            }
            for (int c = 0; c < spec.ContinuousSize; c++) actions[i * m + spec.BranchCount + c] = outputs[i * k + d + c] + MathF.Exp(logStd[c]) * random.NextGaussian();
            advantages[i] = random.NextFloat(-2f, 2f);
        }
        var mo = new Matrix(ToDouble(outputs), n, k);
        var ms = logStd.Length > 0 ? new Matrix(ToDouble(logStd), 1, logStd.Length) : new Matrix(1, 1);
        for (int i = 0; i < n; i++)
        {
            double logProb = ReferenceLogProb(spec, mo, ms, i, actions, masks, out _);
            double shift;
            do shift = random.NextFloat(-0.45f, 0.45f);   // ratio e^shift, both inside and outside [0.8, 1.2]
            while (Math.Abs(Math.Exp(shift) - (1 - Clip)) < 0.03 || Math.Abs(Math.Exp(shift) - (1 + Clip)) < 0.03);
            oldLogProbs[i] = (float)(logProb - shift);
        }
        return new Case(outputs, logStd, actions, masks, oldLogProbs, advantages);
    }

    internal static Matrix[] Points(ActionSpec spec, Case c, int n) =>
        spec.ContinuousSize > 0
            ? new[] { new Matrix(ToDouble(c.Outputs), n, spec.PolicyOutputs), new Matrix(ToDouble(c.LogStd), 1, spec.ContinuousSize) }
            : new[] { new Matrix(ToDouble(c.Outputs), n, spec.PolicyOutputs) };

    internal static float[] Concat(float[] a, double[] b)
    {
        float[] all = new float[a.Length + b.Length];
        a.CopyTo(all, 0);
        for (int i = 0; i < b.Length; i++) all[a.Length + i] = (float)b[i];
        return all;
    }

    internal static double[] ToDouble(float[] values) => Array.ConvertAll(values, v => (double)v);
}
