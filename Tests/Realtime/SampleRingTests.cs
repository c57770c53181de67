using System;
using System.Runtime.InteropServices;
using Cortex.Realtime;
using NUnit.Framework;

namespace Cortex.Tests.Realtime;

[TestFixture]
public sealed class SampleRingTests
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Pair
    {
        public float A, B;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct One
    {
        public float Value;
    }

    [Test]
    public void OnceFullTheNewestSampleOverwritesTheOldest()
    {
        var ring = new SampleRing(inputs: 2, targets: 1, capacity: 3);
        for (int i = 0; i < 5; i++) Assert.That(ring.Append(new float[] { i, -i }, new float[] { 10 * i }), Is.True);
        Assert.That(ring.Count, Is.EqualTo(3));
        Assert.That(ring.Appended, Is.EqualTo(5));
        Assert.That(ring.InputAt(0).ToArray(), Is.EqualTo(new float[] { 2, -2 }));
        Assert.That(ring.InputAt(2).ToArray(), Is.EqualTo(new float[] { 4, -4 }));
        Assert.That(ring.TargetAt(1).ToArray(), Is.EqualTo(new float[] { 30 }));
        Assert.That(() => ring.InputAt(3), Throws.InstanceOf<ArgumentOutOfRangeException>());
        ring.Clear();
        Assert.That(ring.Count, Is.EqualTo(0));
    }

    [Test]
    public void NonFiniteSamplesAreRejectedAndCounted()
    {
        var ring = new SampleRing(2, 1, 4);
        Assert.That(ring.Append(new[] { float.NaN, 0f }, new[] { 1f }), Is.False);
        Assert.That(ring.Append(new[] { 0f, 0f }, new[] { float.PositiveInfinity }), Is.False);
        Assert.That(ring.Append(new[] { float.NegativeInfinity, 0f }, new[] { 1f }), Is.False);
        Assert.That(ring.Append(new[] { float.MaxValue, float.Epsilon }, new[] { -float.MaxValue }), Is.True);
        Assert.That(ring.Rejected, Is.EqualTo(3));
        Assert.That(ring.Count, Is.EqualTo(1));

        Pair[] inputs = { new() { A = 1, B = 2 }, new() { A = float.NaN, B = 0 }, new() { A = 3, B = 4 } };
        One[] targets = { new() { Value = 1 }, new() { Value = 2 }, new() { Value = 3 } };
        Assert.That(ring.Append<Pair, One>(inputs, targets), Is.EqualTo(2));
        Assert.That(ring.Rejected, Is.EqualTo(4));
        Assert.That(ring.InputAt(2).ToArray(), Is.EqualTo(new float[] { 3, 4 }));
    }

    [Test]
    public void SamplingIsSeededAndDrawsOnlyHeldRows()
    {
        float[] a = Draw(7), b = Draw(7), c = Draw(8);
        Assert.That(b, Is.EqualTo(a));
        Assert.That(c, Is.Not.EqualTo(a));
        foreach (float v in a) Assert.That(v, Is.InRange(0f, 9f), "only the 10 held rows");

        static float[] Draw(ulong seed)
        {
            var ring = new SampleRing(1, 1, 100);
            for (int i = 0; i < 10; i++) ring.Append(new float[] { i }, new float[] { i });
            float[] x = new float[64], y = new float[64];
            ring.Sample(new SeededRandom(seed), x, y, 64);
            Assert.That(y, Is.EqualTo(x), "input and target rows stay paired");
            return x;
        }
    }

    [Test]
    public void BadArgumentsThrowNamingBothSizes()
    {
        var ring = new SampleRing(2, 1, 4);
        Assert.That(() => ring.Sample(new SeededRandom(1), new float[8], new float[4], 4), Throws.InvalidOperationException, "empty");
        ring.Append(new float[2], new float[1]);
        Assert.That(() => ring.Append(new float[3], new float[1]), Throws.ArgumentException.With.Property("ParamName").EqualTo("input").And.Message.Contains("3").And.Message.Contains("2"));
        Assert.That(() => ring.Append(new float[2], new float[2]), Throws.ArgumentException.With.Property("ParamName").EqualTo("target"));
        Assert.That(() => ring.Sample(new SeededRandom(1), new float[7], new float[4], 4), Throws.ArgumentException.With.Property("ParamName").EqualTo("inputs").And.Message.Contains("7"));
        Assert.That(() => ring.Sample(new SeededRandom(1), new float[8], new float[3], 4), Throws.ArgumentException.With.Property("ParamName").EqualTo("targets"));
        Assert.That(() => ring.Append<One, One>(new One[1], new One[1]), Throws.ArgumentException.With.Property("ParamName").EqualTo("inputs").And.Message.Contains("4 bytes"));
        Assert.That(() => ring.Append<Pair, One>(new Pair[2], new One[1]), Throws.ArgumentException.With.Property("ParamName").EqualTo("targets"));
        Assert.That(() => new SampleRing(0, 1, 1), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new SampleRing(1, 1, 0), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void AppendingAndSamplingAllocateNothing()
    {
        var ring = new SampleRing(4, 2, 64);
        float[] x = new float[4], y = new float[2], bx = new float[64], by = new float[32];
        var random = new SeededRandom(3);
        ring.Append(x, y);
        ring.Sample(random, bx, by, 16);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            x[0] = i;
            ring.Append(x, y);
            ring.Sample(random, bx, by, 16);
        }
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.EqualTo(0));
        Assert.That(ring.Count, Is.EqualTo(64));
    }
}
