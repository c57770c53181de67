using System;
using Cortex.Layers;
using NUnit.Framework;

namespace Cortex.Tests.Brains;

/// <summary>
/// Gradient health of a recurrent brain's training step (‖dL/dh_t‖ per step, ‖dL/dθ‖) and the loss on the last
/// steps only (a sequence-to-one task).
/// </summary>
[TestFixture]
public sealed class RecurrentBrainDiagnosticsTests
{
    private const int In = 2, Hidden = 3, Out = 2, Batch = 2, Steps = 5;

    private static RecurrentBrain Build(bool gru, Optimizer optimizer, ulong seed = 5, float recurrentScale = 1f, int hidden = Hidden)
    {
        BrainBuilder start = Brain.Create(In);
        RecurrentBrainBuilder builder = gru ? start.Gru(hidden) : start.Rnn(hidden, recurrentScale);
        return builder.Dense(Out, Activation.Linear).Loss(Loss.MeanSquaredError).Optimizer(optimizer).MaxAgents(8).MaxSequence(32).Build(seed);
    }

    private static float[] Values(int n, SeededRandom random)
    {
        float[] v = new float[n];
        for (int i = 0; i < v.Length; i++) v[i] = random.NextFloat(-1f, 1f);
        return v;
    }

    [Test]
    public void TrainingReportsTheStateGradientNormsAndTheParameterGradientNormOfItsStep([Values(true, false)] bool gru)
    {
        var random = new SeededRandom(3);
        float[] x = Values(Steps * Batch * In, random), c = Values(Steps * Batch * Out, random);
        using RecurrentBrain accumulated = Build(gru, Optimizer.Adam(0.01f)), trained = Build(gru, Optimizer.Adam(0.01f));
        double[] expected = new double[Steps], actual = new double[Steps];
        float expectedLoss = accumulated.AccumulateSequence(x, c, default, Batch, Steps, TruncatedBptt.Full, expected);
        float[] gradient = new float[accumulated.ParameterCount];
        accumulated.CopyGradientsTo(gradient);
        double squares = 0;
        foreach (float g in gradient) squares += (double)g * g;

        Assert.That(trained.LastGradientNorm, Is.EqualTo(0f));
        float loss = trained.TrainSequence(x, c, default, Batch, Steps, TruncatedBptt.Full, Steps, actual);

        Assert.That(loss, Is.EqualTo(expectedLoss));
        Assert.That(actual, Is.EqualTo(expected));
        Assert.That(actual, Has.All.GreaterThan(0.0));
        Assert.That(trained.LastGradientNorm, Is.EqualTo(Math.Sqrt(squares)).Within(1e-5 * Math.Sqrt(squares)));
    }

    [Test]
    public void TheLossOnTheLastStepsReadsOnlyTheirTargetsAndItsGradientMatchesFiniteDifferences([Values(true, false)] bool gru)
    {
        const int lossSteps = 2;
        const float rate = 1f, epsilon = 1e-3f;
        var random = new SeededRandom(8);
        float[] x = Values(Steps * Batch * In, random), c = Values(Steps * Batch * Out, random);
        using RecurrentBrain brain = Build(gru, Optimizer.GradientDescent(rate));
        float[] theta = new float[brain.ParameterCount], after = new float[theta.Length], probe = new float[theta.Length];
        brain.CopyParametersTo(theta);

        float Loss(float[] parameters, float[] targets)
        {
            brain.LoadParameters(parameters);
            return brain.TrainSequence(x, targets, default, Batch, Steps, TruncatedBptt.Full, lossSteps, default);
        }

        float loss = Loss(theta, c);
        brain.CopyParametersTo(after);

        // Targets of the steps without a loss are never read: other values there give the same step, bit for bit.
        float[] otherTargets = (float[])c.Clone();
        for (int i = 0; i < (Steps - lossSteps) * Batch * Out; i++) otherTargets[i] = 100f + i;
        Assert.That(Loss(theta, otherTargets), Is.EqualTo(loss));
        brain.CopyParametersTo(probe);
        Assert.That(probe, Is.EqualTo(after));

        // One plain gradient step of rate 1 moved θ by −dL/dθ; central differences of the returned loss agree.
        double largest = 0, worst = 0;
        for (int i = 0; i < theta.Length; i++)
        {
            Array.Copy(theta, probe, theta.Length);
            probe[i] = theta[i] + epsilon;
            float plus = Loss(probe, c);
            probe[i] = theta[i] - epsilon;
            float minus = Loss(probe, c);
            double numeric = (plus - (double)minus) / (2 * epsilon), handWritten = (theta[i] - (double)after[i]) / rate;
            largest = Math.Max(largest, Math.Abs(numeric));
            worst = Math.Max(worst, Math.Abs(numeric - handWritten));
        }
        Assert.That(largest, Is.GreaterThan(1e-2));
        Assert.That(worst, Is.LessThan(2e-3 * Math.Max(1.0, largest)), $"largest |dL/dθ| {largest}");
    }

    [Test]
    public void WithTheLossOnTheLastStepAnElmanGradientVanishesForASmallRecurrentScaleAndExplodesForALargeOne()
    {
        const int steps = 30, hidden = 16;
        var random = new SeededRandom(4);
        float[] x = new float[steps * Batch * In], c = Values(steps * Batch * Out, random);
        double[] Norms(float scale)
        {
            using RecurrentBrain brain = Build(gru: false, Optimizer.GradientDescent(1e-6f), recurrentScale: scale, hidden: hidden);
            double[] norms = new double[steps];
            brain.TrainSequence(x, c, default, Batch, steps, TruncatedBptt.Full, 1, norms);
            return norms;
        }

        double[] small = Norms(0.5f), large = Norms(2.5f);
        Assert.That(small[0], Is.LessThan(1e-3 * small[steps - 1]), string.Join(", ", small));
        for (int t = 1; t < steps; t++) Assert.That(small[t - 1], Is.LessThan(small[t]), $"t = {t}");
        Assert.That(large[0], Is.GreaterThan(1e3 * large[steps - 1]), string.Join(", ", large));
    }

    [Test]
    public void TrainingWithDiagnosticsAllocatesNothing()
    {
        var random = new SeededRandom(9);
        float[] x = Values(Steps * Batch * In, random), c = Values(Steps * Batch * Out, random);
        using RecurrentBrain brain = Build(gru: true, Optimizer.Adam(0.01f).WithGradientClipping(1f));
        double[] norms = new double[Steps];
        brain.TrainSequence(x, c, default, Batch, Steps, TruncatedBptt.Full, 1, norms);
        long before = GC.GetAllocatedBytesForCurrentThread();
        float sum = 0f;
        for (int i = 0; i < 200; i++)
        {
            brain.TrainSequence(x, c, default, Batch, Steps, new TruncatedBptt(0, 1), Steps - 1, norms);
            sum += brain.LastGradientNorm;
        }
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.EqualTo(0));
        Assert.That(float.IsFinite(sum) && sum > 0f, Is.True);
    }

    [Test]
    public void BadLossStepsAndNormSpansNameTheParameter()
    {
        using RecurrentBrain brain = Build(gru: false, Optimizer.Adam(0.01f));
        float[] x = new float[Steps * Batch * In], c = new float[Steps * Batch * Out];
        Assert.Multiple(() =>
        {
            Assert.That(() => brain.TrainSequence(x, c, default, Batch, Steps, TruncatedBptt.Full, 0, default),
                Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("lossSteps"));
            Assert.That(() => brain.TrainSequence(x, c, default, Batch, Steps, new TruncatedBptt(0, 2), Steps - 1, default),
                Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("lossSteps"));
            Assert.That(() => brain.TrainSequence(x, c, default, Batch, Steps, TruncatedBptt.Full, 1, new double[Steps - 1]),
                Throws.ArgumentException.With.Property("ParamName").EqualTo("stateGradientNorms"));
        });
    }
}
