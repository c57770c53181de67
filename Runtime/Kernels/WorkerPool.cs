using System;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace Cortex.Kernels;

/// <summary>A unit of parallel work: <see cref="Execute"/> is called once for every item index.</summary>
internal interface IParallelWork
{
    /// <summary>Processes item <paramref name="item"/>; items run concurrently and in any order.</summary>
    /// <param name="item">Index in [0, items).</param>
    void Execute(int item);
}

/// <summary>
/// A fixed set of dedicated worker threads (never the host's thread pool) that the calling thread
/// joins to process items in parallel without allocating.
/// </summary>
/// <remarks>
/// <para>Items are handed out one at a time from a shared ticket, so which thread runs an item is not
/// fixed: work that must be deterministic has to make each item's result independent of the thread
/// that computes it (the GEMM does).</para>
/// <para>The caller never waits for a worker that has not started an item: a worker that is asleep
/// when a round starts (or wakes after the caller has taken every item) simply finds the round over.
/// The ticket carries the round's number next to the next item index, so a late worker cannot claim
/// an item of a later round. Idle workers spin briefly after each <see cref="Run"/> so back-to-back
/// calls start at once, then block until the next call. A <see cref="Run"/> that finds the pool already
/// busy (called from another thread at the same time, or from inside a work item) runs its items on the
/// calling thread alone instead of waiting. <see cref="Run"/> allocates nothing.</para>
/// </remarks>
internal sealed class WorkerPool : IDisposable
{
    /// <summary>Polls of the shared state before a thread blocks: about 60 µs of spinning, then yields.</summary>
    private const int SpinPolls = 200;

    private readonly Thread[] _workers;
    private readonly object _startGate = new();
    private readonly object _doneGate = new();
    private IParallelWork? _work;
    private int _items;
    private long _ticket;            // round << 32 | next item index
    private int _round;
    private int _parametersRound;     // the round _work and _items belong to; 0 while they are rewritten
    private bool _affine;
    private readonly long[] _claims;  // affine rounds: per participant, round << 32 | next item of its range
    private int _completed;
    private int _cancelled;
    private int _callerWaiting;
    private int _busy;
    private int _owner;
    private Exception? _error;
    private int _disposed;
    private volatile bool _stopping;

    /// <summary>Creates a pool that runs work on <paramref name="threads"/> threads, the caller included.</summary>
    /// <param name="threads">Degree of parallelism, at least 1; threads - 1 background threads are started.</param>
    public WorkerPool(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be at least 1.");
        Threads = threads;
        _claims = new long[threads * 16];                     // a cache line (128 bytes) per participant
        _workers = new Thread[threads - 1];
        for (int i = 0; i < _workers.Length; i++)
        {
            int participant = i + 1;
            _workers[i] = new Thread(() => WorkerLoop(participant)) { IsBackground = true, Name = $"Cortex worker {participant}" };
            _workers[i].Start();
        }
    }

    /// <summary>Degree of parallelism, the calling thread included.</summary>
    public int Threads { get; }

    /// <summary>Runs <paramref name="work"/> for items 0..items-1 and returns when all are done.</summary>
    /// <param name="work">The work.</param>
    /// <param name="items">Number of items.</param>
    /// <exception cref="ArgumentNullException"><paramref name="work"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="items"/> is negative.</exception>
    /// <exception cref="ObjectDisposedException">The pool has been disposed.</exception>
    /// <remarks>
    /// If an item throws, no further items are started, the items already running finish, and the first
    /// exception is rethrown on the calling thread with its original stack trace (not wrapped).
    /// </remarks>
    public void Run(IParallelWork work, int items) => RunRound(work, items, affine: false);

    /// <summary>
    /// <see cref="Run(IParallelWork, int)"/> where participant p (the caller is 0, worker w is w) first takes the items
    /// of its own contiguous range [p·items/Threads, (p + 1)·items/Threads), then helps with the others' leftovers.
    /// Passes that touch the same memory in the same item ranges call after call then find it in the same core's
    /// cache. Which thread runs an item is still not fixed (a late worker's items are taken by the others).
    /// </summary>
    /// <param name="work">The work.</param>
    /// <param name="items">Number of items.</param>
    internal void RunAffine(IParallelWork work, int items) => RunRound(work, items, affine: true);

    private void RunRound(IParallelWork work, int items, bool affine)
    {
        if (work is null) throw new ArgumentNullException(nameof(work));
        if (items < 0) throw new ArgumentOutOfRangeException(nameof(items), items, "items must be non-negative.");
        if (Volatile.Read(ref _disposed) != 0) throw new ObjectDisposedException(nameof(WorkerPool));
        if (items == 0) return;
        if (_workers.Length == 0 || items == 1 || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            for (int i = 0; i < items; i++) work.Execute(i);
            return;
        }

        try
        {
            if (Volatile.Read(ref _disposed) != 0) throw new ObjectDisposedException(nameof(WorkerPool));
            _owner = Environment.CurrentManagedThreadId;
            int round = unchecked(++_round);
            if (round == 0) round = _round = 1;                           // 0 marks the round's parameters as being rewritten
            // Seqlock: a worker that wakes late may read these while they change; it only uses them when it
            // reads the same round number before and after, so it never mixes one round's items with another's.
            Interlocked.Exchange(ref _parametersRound, 0);
            _work = work;
            _items = items;
            _affine = affine;
            if (affine)
                for (int p = 0; p < Threads; p++) Volatile.Write(ref _claims[16 * p], (long)round << 32 | (uint)RangeStart(p, items));
            _completed = 0;
            _cancelled = 0;
            _error = null;
            Volatile.Write(ref _parametersRound, round);
            TestDelay?.Invoke(Stage.ParametersWritten);
            lock (_startGate)
            {
                Interlocked.Exchange(ref _ticket, (long)round << 32);
                Monitor.PulseAll(_startGate);
            }

            if (affine) DrainAffine(0, round, work, items);
            else Drain(round, work, items);
            WaitForCompletion(items);
            Exception? error = _error;
            _error = null;
            if (error is not null) ExceptionDispatchInfo.Capture(error).Throw();
        }
        finally
        {
            _owner = 0;
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>Where <see cref="TestDelay"/> is called.</summary>
    internal enum Stage
    {
        /// <summary>On the caller, after a round's parameters are written and before its ticket is published.</summary>
        ParametersWritten,

        /// <summary>On a worker, after it has seen a new round's ticket and before it reads the parameters.</summary>
        RoundSeen,
    }

    /// <summary>Test seam: called at the racy points of a round so tests can widen the windows.</summary>
    internal Action<Stage>? TestDelay { get; set; }

    /// <summary>
    /// Waits for a <see cref="Run"/> in progress on another thread to finish, then stops the worker
    /// threads. Safe to call twice. Must not be called from inside a work item.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called from inside a work item of this pool.</exception>
    public void Dispose()
    {
        if (Volatile.Read(ref _disposed) != 0) return;
        if (_owner == Environment.CurrentManagedThreadId || Array.IndexOf(_workers, Thread.CurrentThread) >= 0)
            throw new InvalidOperationException("A WorkerPool cannot be disposed from inside its own work items.");
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        // Holding _busy for good means no Run can start a new round; only then are the workers told to stop.
        for (int poll = 0; Interlocked.CompareExchange(ref _busy, 1, 0) != 0; poll++) Pause(poll);
        _stopping = true;
        lock (_startGate) Monitor.PulseAll(_startGate);
        foreach (var worker in _workers) worker.Join();
    }

    // Claims items of round `round` until none is left (or the round is over), runs them, and counts each as completed.
    private void Drain(int round, IParallelWork work, int items)
    {
        while (true)
        {
            long ticket = Volatile.Read(ref _ticket);
            int index = (int)(ticket & 0xFFFF_FFFF);
            if ((int)(ticket >> 32) != round || index >= items) return;
            if (Interlocked.CompareExchange(ref _ticket, ticket + 1, ticket) != ticket) continue;
            Execute(work, index, items);
        }
    }

    // Own range first, then the other ranges in turn; a claim succeeds only while the counter holds this round.
    private void DrainAffine(int participant, int round, IParallelWork work, int items)
    {
        int threads = Threads;
        for (int k = 0; k < threads; k++)
        {
            int range = (participant + k) % threads, end = RangeStart(range + 1, items);
            ref long counter = ref _claims[16 * range];
            while (true)
            {
                long claim = Volatile.Read(ref counter);
                int index = (int)(claim & 0xFFFF_FFFF);
                if ((int)(claim >> 32) != round) return;
                if (index >= end) break;
                if (Interlocked.CompareExchange(ref counter, claim + 1, claim) != claim) continue;
                Execute(work, index, items);
            }
        }
    }

    private int RangeStart(int participant, int items) => (int)((long)participant * items / Threads);

    private void Execute(IParallelWork work, int index, int items)
    {
        if (Volatile.Read(ref _cancelled) == 0)
        {
            try
            {
                work.Execute(index);
            }
            catch (Exception ex)
            {
                Interlocked.CompareExchange(ref _error, ex, null);
                Volatile.Write(ref _cancelled, 1);
            }
        }
        if (Interlocked.Increment(ref _completed) == items && Volatile.Read(ref _callerWaiting) != 0)
            lock (_doneGate) Monitor.PulseAll(_doneGate);
    }

    // Every item has been claimed by now; wait for the ones still running on workers.
    private void WaitForCompletion(int items)
    {
        for (int poll = 0; poll < SpinPolls; poll++)
        {
            if (Volatile.Read(ref _completed) == items) return;
            Pause(poll);
        }
        lock (_doneGate)
        {
            Volatile.Write(ref _callerWaiting, 1);
            while (Volatile.Read(ref _completed) != items) Monitor.Wait(_doneGate, 1);
            Volatile.Write(ref _callerWaiting, 0);
        }
    }

    private void WorkerLoop(int participant)
    {
        GemmBlocked.PrepareThread(GemmIsas.Best);   // the one per-thread buffer a work item may need, at its final size
        int seen = 0;
        while (true)
        {
            long ticket = WaitForRound(seen);
            if (_stopping) return;
            int round = (int)(ticket >> 32);
            seen = round;
            TestDelay?.Invoke(Stage.RoundSeen);
            int before = Volatile.Read(ref _parametersRound);
            IParallelWork? work = Volatile.Read(ref _work);
            int items = Volatile.Read(ref _items);
            bool affine = _affine;
            Interlocked.MemoryBarrier();
            if (before != round || Volatile.Read(ref _parametersRound) != round || work is null) continue;   // that round is over
            if (affine) DrainAffine(participant, round, work, items);
            else Drain(round, work, items);
        }
    }

    /// <summary>Spins, then blocks, until a round other than <paramref name="seen"/> starts or the pool is stopping.</summary>
    private long WaitForRound(int seen)
    {
        for (int poll = 0; poll < SpinPolls; poll++)
        {
            long ticket = Volatile.Read(ref _ticket);
            if ((int)(ticket >> 32) != seen || _stopping) return ticket;
            Pause(poll);
        }
        lock (_startGate)
        {
            while ((int)(Volatile.Read(ref _ticket) >> 32) == seen && !_stopping) Monitor.Wait(_startGate);
            return Volatile.Read(ref _ticket);
        }
    }

    private static void Pause(int poll)
    {
        if (poll < SpinPolls / 2) Thread.SpinWait(16);
        else if (poll < SpinPolls) Thread.Yield();
        else Thread.Sleep(1);
    }
}
