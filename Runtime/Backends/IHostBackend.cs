using System;
using System.Collections.Generic;
using Cortex.Kernels;
using Cortex.Tensors;

namespace Cortex.Backends;

/// <summary>
/// What a backend whose buffers are host memory offers a brain's fast paths, and nothing else above the backend
/// floor needs to know: views that put the caller's own spans in place of workspace slices (no upload or download
/// copies), independent row blocks run on its worker pool, and arena-wide passes split by which core owns which
/// rows. <see cref="CpuBackend"/> implements it; a brain on any other backend takes the portable path.
/// </summary>
internal interface IHostBackend : IBackend
{
    /// <summary>A buffer that <see cref="View"/> points at host memory the caller has pinned.</summary>
    DeviceBuffer CreateView();

    /// <summary>Points <paramref name="view"/> at <paramref name="length"/> floats from <paramref name="data"/> and returns them as a slice, valid while the memory stays pinned.</summary>
    /// <param name="view">A buffer from <see cref="CreateView"/>.</param>
    /// <param name="data">Pinned host memory.</param>
    /// <param name="length">Floats.</param>
    unsafe BufferSlice View(DeviceBuffer view, float* data, int length);

    /// <summary>The host memory behind a slice of this backend's buffers.</summary>
    /// <param name="slice">The slice.</param>
    Span<float> HostSpan(BufferSlice slice);

    /// <summary>Rows per independent block of a batch: a block's activations stay in cache through every layer.</summary>
    int BlockRows { get; }

    /// <summary>
    /// Runs <paramref name="blocks"/> independent blocks on the worker pool, each on a thread of its own, when there
    /// is a block per thread; returns false (running nothing) otherwise. Blocks run on <see cref="Serial"/>. The first
    /// time for a caller (<paramref name="warmed"/> false) every thread of the pool first runs block 0 once, so each
    /// thread's scratch buffers reach the size a block needs now rather than whenever timing first hands it a block.
    /// </summary>
    /// <param name="work">The blocks (block 0 may run several times at once during the warm-up: same inputs, same outputs).</param>
    /// <param name="blocks">How many.</param>
    /// <param name="warmed">The caller's flag, set by the first run.</param>
    bool TryRunBlocks(IParallelWork work, int blocks, ref bool warmed);

    /// <summary>A new backend of the same kind and size, for a copy of a brain that owns its backend.</summary>
    IBackend CreatePeer();

    /// <summary>The same memory without a pool: the backend a block running on one worker uses.</summary>
    IBackend Serial { get; }

    /// <summary>
    /// Decides which core owns which floats of a parameter arena (null: no pool to split over). Arena-wide passes
    /// given the result run each range on its owner.
    /// </summary>
    /// <param name="blocks">The arena's matrices, in any order, covering it once.</param>
    /// <param name="length">Floats in the arena.</param>
    object? PartitionArena(IReadOnlyList<ArenaBlock> blocks, int length);

    /// <summary><see cref="IBackend.SumOfSquares"/> with each range summed by its owner (same bits).</summary>
    /// <param name="x">An arena.</param>
    /// <param name="partition">From <see cref="PartitionArena"/>.</param>
    double SumOfSquares(BufferSlice x, object? partition);

    /// <summary><see cref="IBackend.OptimizerStep"/> with each range updated by its owner (same bits).</summary>
    /// <param name="optimizer">Rule and hyperparameters.</param>
    /// <param name="parameters">Θ.</param>
    /// <param name="gradients">g, cleared afterwards.</param>
    /// <param name="moment1">First moment or empty.</param>
    /// <param name="moment2">Second moment or empty.</param>
    /// <param name="step">1-based step number.</param>
    /// <param name="gradientScale">Clipping factor.</param>
    /// <param name="partition">From <see cref="PartitionArena"/>.</param>
    void OptimizerStep(Optimizer optimizer, BufferSlice parameters, BufferSlice gradients, BufferSlice moment1, BufferSlice moment2,
        long step, float gradientScale, object? partition);
}

/// <summary>
/// A (Rows, Columns) matrix of a parameter arena at <paramref name="Offset"/>, whose rows the forward product splits
/// across threads when it costs at least <see cref="GemmBlocked.ParallelFlops"/> (<paramref name="Flops"/> 0 for a
/// vector nothing splits, such as a bias).
/// </summary>
/// <param name="Offset">First float in the arena.</param>
/// <param name="Rows">Rows (e.g. a dense layer's outputs).</param>
/// <param name="Columns">Floats per row.</param>
/// <param name="Flops">Cost of the largest product that reads the matrix by rows.</param>
internal readonly record struct ArenaBlock(int Offset, int Rows, int Columns, double Flops);
