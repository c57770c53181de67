using System;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace Cortex.Kernels;

/// <summary>A unit of parallel work: <see cref="Execute"/> is called once for every item index.</summary>
public interface IParallelWork
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
/// <para>Items are handed out one at a time from a shared counter, so which thread runs an item is not
/// fixed: work that must be deterministic has to make each item's result independent of the thread
/// that computes it (the GEMM does).</para>
/// <para>Idle workers spin briefly after each <see cref="Run"/> so back-to-back calls start at once,
/// then block until the next call. A <see cref="Run"/> that finds the pool already busy (called from
/// another thread at the same time, or from inside a work item) runs its items on the calling thread
/// alone instead of waiting. <see cref="Run"/> allocates nothing.</para>
/// </remarks>
public sealed class WorkerPool : IDisposable
{
    /// <summary>Polls of the shared state before a thread blocks: about 30 µs of spinning, then yields.</summary>
    private const int SpinPolls = 100;

    private readonly Thread[] _workers;
    private readonly object _startGate = new();
    private readonly object _doneGate = new();
    private IParallelWork? _work;
    private int _items;
    private int _next;
    private int _generation;
    private int _running;
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
        _workers = new Thread[threads - 1];
        for (int i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new Thread(WorkerLoop) { IsBackground = true, Name = $"Cortex worker {i + 1}" };
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
    public void Run(IParallelWork work, int items)
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
            _work = work;
            _items = items;
            _next = 0;
            _error = null;
            _running = _workers.Length;
            lock (_startGate)
            {
                _generation++;
                Monitor.PulseAll(_startGate);
            }

            Drain(work, items);
            WaitForWorkers();
            _work = null;
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
        // Holding _busy for good means no Run can start a new round for the workers to miss; only then
        // are the workers told to stop, so a Run already in flight still gets its workers.
        for (int poll = 0; Interlocked.CompareExchange(ref _busy, 1, 0) != 0; poll++) Pause(poll);
        _stopping = true;
        lock (_startGate) Monitor.PulseAll(_startGate);
        foreach (var worker in _workers) worker.Join();
    }

    private void Drain(IParallelWork work, int items)
    {
        while (true)
        {
            int item = Interlocked.Increment(ref _next) - 1;
            if (item >= items) return;
            try
            {
                work.Execute(item);
            }
            catch (Exception ex)
            {
                Interlocked.CompareExchange(ref _error, ex, null);
                Volatile.Write(ref _next, items);
            }
        }
    }

    private void WaitForWorkers()
    {
        for (int poll = 0; poll < SpinPolls; poll++)
        {
            if (Volatile.Read(ref _running) == 0) return;
            Pause(poll);
        }
        lock (_doneGate)
            while (Volatile.Read(ref _running) != 0) Monitor.Wait(_doneGate);
    }

    private void WorkerLoop()
    {
        int seen = 0;
        while (true)
        {
            int generation = WaitForGeneration(seen);
            if (generation == seen) return;
            seen = generation;
            Drain(_work!, _items);
            if (Interlocked.Decrement(ref _running) == 0)
                lock (_doneGate) Monitor.Pulse(_doneGate);
        }
    }

    /// <summary>Spins, then blocks, until a Run newer than <paramref name="seen"/> starts or the pool is stopping.</summary>
    private int WaitForGeneration(int seen)
    {
        for (int poll = 0; poll < SpinPolls; poll++)
        {
            int generation = Volatile.Read(ref _generation);
            if (generation != seen || _stopping) return generation;
            Pause(poll);
        }
        lock (_startGate)
        {
            while (_generation == seen && !_stopping) Monitor.Wait(_startGate);
            return _generation;
        }
    }

    private static void Pause(int poll)
    {
        if (poll < SpinPolls / 2) Thread.SpinWait(16);
        else if (poll < SpinPolls) Thread.Yield();
        else Thread.Sleep(1);
    }
}
