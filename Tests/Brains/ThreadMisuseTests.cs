using System;
using System.Threading;
using Cortex.Realtime;
using NUnit.Framework;

namespace Cortex.Tests.Brains;

/// <summary>
/// Misuse from several threads is detected, not silent: overlapping calls on one brain (or one side of a
/// parameter exchange) throw InvalidOperationException naming the rule, and overlapping spans throw ArgumentException.
/// </summary>
[TestFixture]
public sealed class ThreadMisuseTests
{
    private static Brain Wide() =>
        Brain.Create(64).Dense(256, Activation.Tanh).Dense(256, Activation.Tanh).Dense(8, Activation.Linear).MaxBatch(256).Build(1);

    [Test]
    public void ThreePredictingThreadsAreDetected()
    {
        using Brain brain = Wide();
        Exception? seen = RunTogether(3, _ =>
        {
            float[] x = new float[256 * 64], y = new float[256 * 8];
            for (int i = 0; i < 200; i++) brain.Predict(x, y, 256);
        });
        Assert.That(seen, Is.InstanceOf<InvalidOperationException>());
        Assert.That(seen!.Message, Does.Contain("one thread at a time"));
        Assert.That(seen.Message, Does.Contain("Brain.Predict"));
        // The brain is still usable from one thread afterwards.
        float[] input = new float[64], output = new float[8];
        Assert.That(() => brain.Predict(input, output, 1), Throws.Nothing);
    }

    [Test]
    public void TwoTrainingThreadsAreDetected()
    {
        using Brain brain = Wide();
        Exception? seen = RunTogether(2, seed =>
        {
            var random = new SeededRandom((ulong)seed + 1);
            float[] x = new float[64 * 64], y = new float[64 * 8];
            for (int i = 0; i < x.Length; i++) x[i] = random.NextFloat(-1f, 1f);
            for (int i = 0; i < 500; i++) brain.Train(x, y, 64);
        });
        Assert.That(seen, Is.InstanceOf<InvalidOperationException>());
        Assert.That(seen!.Message, Does.Contain("one thread at a time"));
    }

    [Test]
    public void NestedCallsOnOneThreadAndTakingTurnsAreFine()
    {
        using Brain brain = Wide();
        float[] x = new float[4 * 64], y = new float[4 * 8];
        brain.Train(x, y, 4);                  // Train calls AccumulateGradients and ApplyGradients
        brain.Train(x, new[] { 1, 2, 3, 4 }, 4);
        var other = new Thread(() => brain.Predict(x, y, 4));
        other.Start();
        other.Join();                          // handing a brain over between threads (with a join or a lock) is allowed
        Assert.That(() => brain.Predict(x, y, 4), Throws.Nothing);
    }

    [Test]
    public void OverlappingInputAndOutputSpansAreRefused()
    {
        using Brain brain = Brain.Create(4).Dense(4, Activation.Tanh).Build(2);
        float[] buffer = new float[40];
        ArgumentException e = Assert.Throws<ArgumentException>(() => brain.Predict(buffer, buffer, 10))!;
        Assert.That(e.ParamName, Is.EqualTo("outputs"));
        Assert.Throws<ArgumentException>(() => brain.Predict(buffer.AsSpan(0, 20), buffer.AsSpan(16, 20), 5));
        Assert.That(() => brain.Predict(buffer.AsSpan(0, 20), buffer.AsSpan(20, 20), 5), Throws.Nothing, "adjacent, not overlapping");
        Assert.That(() => brain.Predict(buffer.AsSpan(0, 8), buffer.AsSpan(8, 8), 2), Throws.Nothing);
    }

    [Test]
    public void TwoPullingThreadsAreDetected()
    {
        using Brain source = Wide();
        float[] initial = new float[source.ParameterCount];
        source.CopyParametersTo(initial);
        var exchange = new ParameterExchange(initial);
        using Brain a = Wide(), b = Wide();
        Brain[] destinations = { a, b };
        using var stop = new CancellationTokenSource();
        var writer = new Thread(() =>
        {
            float[] p = (float[])initial.Clone();
            while (!stop.IsCancellationRequested)
            {
                p[0] += 1f;
                exchange.Publish(p);
            }
        });
        writer.Start();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int failed = 0;
        Exception? seen = RunTogether(2, i =>
        {
            try
            {
                while (Volatile.Read(ref failed) == 0 && clock.Elapsed.TotalSeconds < 20) exchange.TryPull(destinations[i]);
            }
            finally
            {
                Volatile.Write(ref failed, 1);   // the first thread to throw stops the other
            }
        });
        stop.Cancel();
        writer.Join();
        Assert.That(seen, Is.InstanceOf<InvalidOperationException>());
        Assert.That(seen!.Message, Does.Contain("ParameterExchange.TryPull").Or.Contain("ParameterExchange.TryAcquire"));
    }

    [Test]
    public void TheGuardAllocatesNothing()
    {
        using Brain brain = Brain.Create(4).Dense(4, Activation.Tanh).Build(3);
        float[] x = new float[8], y = new float[8];
        brain.Predict(x, y, 2);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) brain.Predict(x, y, 2);
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    // Runs body(i) on n threads released together; returns the first exception any of them threw.
    private static Exception? RunTogether(int n, Action<int> body)
    {
        Exception? first = null;
        using var start = new Barrier(n);
        var threads = new Thread[n];
        for (int t = 0; t < n; t++)
        {
            int index = t;
            threads[t] = new Thread(() =>
            {
                start.SignalAndWait();
                try
                {
                    body(index);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref first, e, null);
                }
            });
            threads[t].Start();
        }
        foreach (Thread t in threads) t.Join();
        return first;
    }
}
