using System;
using Cortex.Learning;
using NUnit.Framework;

namespace Cortex.Tests.Learning;

[TestFixture]
public sealed class ReplayBufferTests
{
    [Test]
    public void OverwritesTheOldestWhenFull()
    {
        var buffer = new ReplayBuffer(capacity: 3, observationSize: 1);
        for (int i = 0; i < 5; i++) buffer.Add(new float[] { i }, i % 2, i, new float[] { i + 1 }, terminal: i == 4);
        Assert.That(buffer.Count, Is.EqualTo(3));
        Assert.That(buffer.Added, Is.EqualTo(5));
        float[] o = new float[300], a = new float[300], r = new float[300], n = new float[300], t = new float[300];
        buffer.Sample(new SeededRandom(1), 300, o, a, r, n, t);
        for (int i = 0; i < 300; i++)
        {
            Assert.That(o[i], Is.GreaterThanOrEqualTo(2f), "transitions 0 and 1 were overwritten");
            Assert.That(r[i], Is.EqualTo(o[i]));
            Assert.That(n[i], Is.EqualTo(o[i] + 1));
            Assert.That(a[i], Is.EqualTo(o[i] % 2));
            Assert.That(t[i], Is.EqualTo(o[i] == 4 ? 1f : 0f));
        }
    }

    [Test]
    public void RefusesNonFiniteSamples()
    {
        var buffer = new ReplayBuffer(4, 2);
        Assert.That(buffer.Add(new[] { 1f, float.NaN }, 0, 1f, new[] { 0f, 0f }, false), Is.False);
        Assert.That(buffer.Add(new[] { 1f, 2f }, 0, float.PositiveInfinity, new[] { 0f, 0f }, false), Is.False);
        Assert.That(buffer.Count, Is.EqualTo(0));
        Assert.That(buffer.Rejected, Is.EqualTo(2));
        Assert.Throws<ArgumentException>(() => buffer.Add(new[] { 1f }, 0, 1f, new[] { 0f, 0f }, false));
        Assert.Throws<InvalidOperationException>(() => buffer.Sample(new SeededRandom(1), 1, new float[2], new float[1], new float[1], new float[2], new float[1]));
    }

    [Test]
    public void AddAndSampleAllocateNothing()
    {
        var buffer = new ReplayBuffer(1000, 4);
        var random = new SeededRandom(2);
        float[] s = new float[4], o = new float[64 * 4], a = new float[64], r = new float[64], n = new float[64 * 4], t = new float[64];
        for (int i = 0; i < 100; i++) buffer.Add(s, 1, 0.5f, s, false);
        buffer.Sample(random, 64, o, a, r, n, t);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            buffer.Add(s, 1, 0.5f, s, false);
            buffer.Sample(random, 64, o, a, r, n, t);
        }
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.EqualTo(0));
    }
}

[TestFixture]
public sealed class ExplorationScheduleTests
{
    [Test]
    public void LinearAndExponentialDecay()
    {
        var linear = ExplorationSchedule.Linear(1f, 0.1f, 100);
        Assert.That(linear.At(0), Is.EqualTo(1f));
        Assert.That(linear.At(50), Is.EqualTo(0.55f).Within(1e-6));
        Assert.That(linear.At(100), Is.EqualTo(0.1f));
        Assert.That(linear.At(1000), Is.EqualTo(0.1f));
        var exp = ExplorationSchedule.Exponent(1f, 0f, 10);
        Assert.That(exp.At(10), Is.EqualTo(MathF.Exp(-1)).Within(1e-6));
        Assert.Throws<ArgumentOutOfRangeException>(() => ExplorationSchedule.Linear(2f, 0f, 10));
    }
}

[TestFixture]
public sealed class RunningNormalizerTests
{
    [Test]
    public void TracksMeanAndVarianceAndStandardises()
    {
        var random = new SeededRandom(3);
        var normalizer = new RunningNormalizer(2);
        float[] data = new float[2000];
        for (int i = 0; i < 1000; i++) { data[2 * i] = 5f + 2f * random.NextGaussian(); data[2 * i + 1] = -1f + 0.5f * random.NextGaussian(); }
        normalizer.Update(data, 1000);
        double m0 = 0, v0 = 0;
        for (int i = 0; i < 1000; i++) m0 += data[2 * i];
        m0 /= 1000;
        for (int i = 0; i < 1000; i++) v0 += (data[2 * i] - m0) * (data[2 * i] - m0);
        v0 /= 1000;
        Assert.That(normalizer.Mean(0), Is.EqualTo(m0).Within(1e-9));
        Assert.That(normalizer.Variance(0), Is.EqualTo(v0).Within(1e-9));
        float[] z = new float[2000];
        normalizer.Normalize(z, data, 1000);
        double zm = 0;
        for (int i = 0; i < 1000; i++) zm += z[2 * i + 1];
        Assert.That(zm / 1000, Is.EqualTo(0).Within(1e-4));

        double[] state = new double[5];
        normalizer.GetState(state);
        var copy = new RunningNormalizer(2);
        copy.SetState(state);
        Assert.That(copy.Mean(1), Is.EqualTo(normalizer.Mean(1)));
        Assert.That(copy.Count, Is.EqualTo(1000));
        state[3] = -1;
        Assert.Throws<ArgumentException>(() => copy.SetState(state));
    }
}

[TestFixture]
public sealed class RunningNormalizerFileTests
{
    [Test]
    public void TravelsWithTheBrainFile()
    {
        var normalizer = new RunningNormalizer(3);
        var random = new SeededRandom(9);
        float[] rows = new float[300];
        for (int i = 0; i < rows.Length; i++) rows[i] = 4f + random.NextGaussian();
        normalizer.Update(rows, 100);
        using Brain brain = Brain.Create(3).Dense(2, Activation.Linear).Build(1);
        normalizer.SaveTo(brain);
        byte[] file = Cortex.Serialization.BrainFile.ToBytes(brain);
        using Brain loaded = Cortex.Serialization.BrainFile.Read(file);
        var restored = new RunningNormalizer(3);
        Assert.That(restored.LoadFrom(loaded), Is.True);
        Assert.That(restored.Count, Is.EqualTo(100));
        for (int i = 0; i < 3; i++)
        {
            Assert.That(restored.Mean(i), Is.EqualTo(normalizer.Mean(i)).Within(1e-5));
            Assert.That(restored.Variance(i), Is.EqualTo(normalizer.Variance(i)).Within(1e-5));
        }
        Assert.That(new RunningNormalizer(3).LoadFrom(brain, "missing"), Is.False);
        Assert.Throws<ArgumentException>(() => new RunningNormalizer(2).LoadFrom(loaded));
    }
}
