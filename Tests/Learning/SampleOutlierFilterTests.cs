using System;
using Cortex.Learning;
using Cortex.Realtime;
using NUnit.Framework;

namespace Cortex.Tests.Learning;

/// <summary>The optional sample filter keeps an extreme row out of an OnlineTrainer's ring altogether.</summary>
[TestFixture]
public sealed class SampleOutlierFilterTests
{
    [TestCase(1e3f, false)]
    [TestCase(1e10f, false)]
    [TestCase(1e3f, true)]
    [TestCase(1e10f, true)]
    public void AnExtremeSampleNeverEntersTheRing(float value, bool inTarget)
    {
        using Brain brain = Brain.Create(3).Dense(8, Activation.Tanh).Dense(1, Activation.Linear).Optimizer(Optimizer.GradientDescent(0.05f)).MaxBatch(16).Build(1);
        var trainer = new OnlineTrainer(brain, capacity: 128, batchSize: 8, TrainingBudget.Updates(1), seed: 2)
        {
            SampleFilter = new SampleOutlierFilter(3, 1),
        };
        var random = new SeededRandom(3);
        float[] x = new float[3], y = new float[1];
        int refused = 0;
        for (int i = 0; i < 300; i++)
        {
            for (int c = 0; c < 3; c++) x[c] = random.NextFloat(-1f, 1f);
            y[0] = x[0] - 0.5f * x[2];
            bool outlier = i == 150;
            if (outlier && inTarget) y[0] = value;
            if (outlier && !inTarget) x[1] = value;
            if (!trainer.AddSample(x, y)) refused++;
            trainer.Tick();
        }
        Assert.That(refused, Is.EqualTo(1), "the outlier and nothing else");
        Assert.That(((SampleOutlierFilter)trainer.SampleFilter!).Refused, Is.EqualTo(1));
        Assert.That(brain.RejectedSteps, Is.Zero, "no batch ever held it");
    }

    [Test]
    public void InputStatisticsComeFromARunningNormalizerWhereOneExists()
    {
        var normalizer = new RunningNormalizer(2);
        var random = new SeededRandom(4);
        float[] row = new float[2];
        for (int i = 0; i < 200; i++)
        {
            row[0] = random.NextFloat(-1f, 1f);
            row[1] = 100f + random.NextFloat(-5f, 5f);
            normalizer.Update(row);
        }
        var filter = new SampleOutlierFilter(2, 1, warmupSamples: 2, inputStatistics: normalizer);
        Assert.That(filter.Accept(new[] { 0f, 100f }, new[] { 0f }), Is.True);
        Assert.That(filter.Accept(new[] { 0.1f, 101f }, new[] { 0.1f }), Is.True);
        Assert.That(filter.Accept(new[] { 0.2f, 99f }, new[] { 0.05f }), Is.True);
        Assert.That(filter.Accept(new[] { 0f, 1e5f }, new[] { 0f }), Is.False, "far from the normalizer's mean of column 1");
        Assert.That(filter.Accept(new[] { 50f, 100f }, new[] { 0f }), Is.False);
        Assert.Throws<ArgumentException>(() => _ = new SampleOutlierFilter(3, 1, inputStatistics: normalizer));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new SampleOutlierFilter(2, 1, maxDeviations: 1f));
    }

    [Test]
    public void FilteringAllocatesNothing()
    {
        var filter = new SampleOutlierFilter(2, 1, warmupSamples: 2);
        float[] x = { 0.5f, -0.5f }, y = { 1f };
        filter.Accept(x, y);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) filter.Accept(x, y);
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }
}
