using System;
using System.Threading;
using Cortex.Kernels;
using NUnit.Framework;

namespace Cortex.Tests.Kernels;

[TestFixture]
public sealed class WorkerPoolTests
{
    private sealed class CountingWork : IParallelWork
    {
        public int[] Counts = Array.Empty<int>();
        public int ThrowAt = -1;

        public void Execute(int item)
        {
            Interlocked.Increment(ref Counts[item]);
            if (item == ThrowAt) throw new InvalidOperationException($"item {item} failed");
        }
    }

    private sealed class BusyWork : IParallelWork
    {
        public int[] Counts = Array.Empty<int>();

        public void Execute(int item)
        {
            Interlocked.Increment(ref Counts[item]);
            Thread.SpinWait(20 + item % 7 * 10);
        }
    }

    private sealed class NestedWork : IParallelWork
    {
        public WorkerPool? Pool;
        public CountingWork Inner = new();

        public void Execute(int item) => Pool!.Run(Inner, Inner.Counts.Length);
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(5)]
    public void RunsEveryItemExactlyOnce(int threads)
    {
        using var pool = new WorkerPool(threads);
        Assert.That(pool.Threads, Is.EqualTo(threads));
        foreach (int items in new[] { 0, 1, 2, 7, 1000 })
        {
            for (int round = 0; round < 20; round++)
            {
                var work = new CountingWork { Counts = new int[items] };
                pool.Run(work, items);
                Assert.That(work.Counts, Is.All.EqualTo(1), $"{items} items, round {round}");
            }
        }
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void AffineRunsEveryItemExactlyOnce(int threads)
    {
        using var pool = new WorkerPool(threads);
        foreach (int items in new[] { 0, 1, 2, 3, 7, 64, 1000 })
        {
            for (int round = 0; round < 20; round++)
            {
                var work = new CountingWork { Counts = new int[items] };
                if (round % 2 == 0) pool.RunAffine(work, items);
                else pool.Run(work, items);
                Assert.That(work.Counts, Is.All.EqualTo(1), $"{items} items, round {round}");
            }
        }
    }

    [Test]
    public void AffineRethrowsTheWorkItemException()
    {
        using var pool = new WorkerPool(2);
        var failing = new CountingWork { Counts = new int[50], ThrowAt = 40 };
        var ex = Assert.Throws<InvalidOperationException>(() => pool.RunAffine(failing, 50));
        Assert.That(ex!.Message, Is.EqualTo("item 40 failed"));
        Assert.That(failing.Counts, Is.All.LessThanOrEqualTo(1));
        var work = new CountingWork { Counts = new int[50] };
        pool.RunAffine(work, 50);
        Assert.That(work.Counts, Is.All.EqualTo(1));
    }

    [Test]
    public void RethrowsTheWorkItemExceptionAndStaysUsable()
    {
        using var pool = new WorkerPool(3);
        var failing = new CountingWork { Counts = new int[100], ThrowAt = 37 };
        var ex = Assert.Throws<InvalidOperationException>(() => pool.Run(failing, 100));
        Assert.That(ex!.Message, Is.EqualTo("item 37 failed"));
        Assert.That(failing.Counts, Is.All.LessThanOrEqualTo(1));

        var work = new CountingWork { Counts = new int[100] };
        pool.Run(work, 100);
        Assert.That(work.Counts, Is.All.EqualTo(1));
    }

    [Test]
    public void NestedRunExecutesInlineWithoutDeadlock()
    {
        using var pool = new WorkerPool(2);
        var nested = new NestedWork { Pool = pool, Inner = new CountingWork { Counts = new int[10] } };
        pool.Run(nested, 3);
        Assert.That(nested.Inner.Counts, Is.All.EqualTo(3));
    }

    [Test]
    public void DisposeStopsThePool()
    {
        var pool = new WorkerPool(3);
        pool.Run(new CountingWork { Counts = new int[10] }, 10);
        pool.Dispose();
        pool.Dispose();
        Assert.Throws<ObjectDisposedException>(() => pool.Run(new CountingWork { Counts = new int[10] }, 10));
    }

    [Test]
    public void DisposeAfterIdleWorkersHaveBlocked()
    {
        var pool = new WorkerPool(2);
        pool.Run(new CountingWork { Counts = new int[4] }, 4);
        Thread.Sleep(200);
        var work = new CountingWork { Counts = new int[4] };
        pool.Run(work, 4);
        Assert.That(work.Counts, Is.All.EqualTo(1));
        Thread.Sleep(200);
        pool.Dispose();
    }

    [Test]
    public void ConcurrentCallersEachGetEveryItemOnce()
    {
        using var pool = new WorkerPool(3);
        var works = new[] { new CountingWork { Counts = new int[50] }, new CountingWork { Counts = new int[50] } };
        var callers = new Thread[2];
        for (int t = 0; t < callers.Length; t++)
        {
            var work = works[t];
            callers[t] = new Thread(() =>
            {
                for (int round = 0; round < 200; round++) pool.Run(work, 50);
            });
            callers[t].Start();
        }
        foreach (var caller in callers) Assert.That(caller.Join(TimeSpan.FromSeconds(30)), Is.True, "caller hung");
        foreach (var work in works) Assert.That(work.Counts, Is.All.EqualTo(200));
    }

    [Test]
    public void DisposeWhileAnotherThreadRunsDoesNotHang()
    {
        for (int attempt = 0; attempt < 20; attempt++)
        {
            var pool = new WorkerPool(2);
            var work = new CountingWork { Counts = new int[64] };
            Exception? failure = null;
            var caller = new Thread(() =>
            {
                try
                {
                    while (true) pool.Run(work, 64);
                }
                catch (ObjectDisposedException)
                {
                }
                catch (Exception ex)
                {
                    failure = ex;
                }
            });
            caller.Start();
            Thread.Sleep(attempt % 4);
            pool.Dispose();
            Assert.That(caller.Join(TimeSpan.FromSeconds(10)), Is.True, "Run hung after Dispose");
            Assert.That(failure, Is.Null);
        }
    }

    [Test]
    public void LateWorkersNeverMixRoundsWithDifferentItemCounts()
    {
        // Rounds of very different sizes back to back: a worker that wakes late must not claim an item of an old
        // round with a newer round's item count (that would run an item twice or hang the caller).
        var pool = new WorkerPool(3);
        var small = new BusyWork { Counts = new int[2] };
        var large = new BusyWork { Counts = new int[64] };
        // Widen both windows: workers dawdle after seeing a round, the caller after writing a round's parameters.
        pool.TestDelay = stage => Thread.SpinWait(stage == WorkerPool.Stage.RoundSeen ? 300 : 200);
        Exception? failure = null;
        var caller = new Thread(() =>
        {
            try
            {
                for (int round = 0; round < 30_000; round++)
                {
                    if (round % 3 == 2) pool.Run(large, 64);
                    else if (round % 3 == 1) pool.RunAffine(small, 2);
                    else pool.Run(small, 2);
                }
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        }) { IsBackground = true };
        caller.Start();
        Assert.That(caller.Join(TimeSpan.FromSeconds(60)), Is.True, "Run hung");     // (a hung pool is left undisposed: Dispose would wait for it)
        pool.Dispose();
        Assert.That(failure, Is.Null);
        Assert.That(small.Counts, Is.All.EqualTo(20_000));
        Assert.That(large.Counts, Is.All.EqualTo(10_000));
    }

    [Test]
    public void RejectsBadArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new WorkerPool(0));
        using var pool = new WorkerPool(2);
        Assert.Throws<ArgumentNullException>(() => pool.Run(null!, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Run(new CountingWork(), -1));
    }

    [Test]
    public void RunDoesNotAllocate()
    {
        using var pool = new WorkerPool(2);
        var work = new CountingWork { Counts = new int[64] };
        for (int i = 0; i < 10; i++) pool.Run(work, 64);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) pool.Run(work, 64);
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }
}
