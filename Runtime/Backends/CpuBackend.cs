using System;
using System.Collections.Generic;
using Cortex.Kernels;
using Cortex.Tensors;

namespace Cortex.Backends;

/// <summary>
/// The reference backend: managed SIMD kernels on the CPU, spread over a dedicated
/// <see cref="WorkerPool"/> when <see cref="Threads"/> &gt; 1 (GEMMs, and element-wise passes, column sums,
/// the gradient norm and optimizer steps over large arrays). Work is cut on partitions fixed by the sizes
/// alone and every element or partial sum is computed the same way whichever thread runs it, so results are
/// bitwise identical for any thread count on a given machine.
/// </summary>
public sealed class CpuBackend : IHostBackend
{
    /// <summary>Rows per independent block of a batch (see <see cref="IHostBackend.BlockRows"/>): activations of a block stay in L2, and 256 rows keep the GEMMs efficient.</summary>
    internal const int PredictBlockRows = 256;

    /// <summary>Element-wise passes, column sums, norms and optimizer steps go parallel from this many floats (about 10 µs of work).</summary>
    internal const int ParallelElements = 1 << 16;

    /// <summary>Floats per optimizer-step item.</summary>
    private const int OptimizerChunk = 1 << 14;

    /// <summary>Rows per element-wise item (whole rows, so softmax rows stay whole).</summary>
    private const int RowChunk = 64;

    private readonly WorkerPool? _pool;
    private readonly ParallelOps? _ops;
    private CpuBackend? _serial;
    private EveryThread? _everyThread;
    private float[] _partials = Array.Empty<float>();

    /// <summary>Creates a CPU backend.</summary>
    /// <param name="threads">Threads for large GEMMs and passes, the caller included; 1 keeps everything on the calling thread.</param>
    public CpuBackend(int threads = 1)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be at least 1.");
        Threads = threads;
        if (threads > 1)
        {
            _pool = new WorkerPool(threads);
            _ops = new ParallelOps();
        }
    }

    /// <summary>The worker pool (null on one thread).</summary>
    internal WorkerPool? Pool => _pool;

    /// <summary>Degree of parallelism for large products.</summary>
    public int Threads { get; }

    /// <inheritdoc />
    public string Name => Threads == 1 ? "cpu" : $"cpu ({Threads} threads)";

    /// <inheritdoc />
    public DeviceBuffer Allocate(int length) => new CpuBuffer(length);

    /// <summary>The host memory behind a slice of a CPU buffer.</summary>
    /// <param name="slice">A slice of a buffer this (or any) CPU backend allocated.</param>
    public static Span<float> Span(BufferSlice slice)
    {
        if (slice.Buffer is null) return default;
        if (slice.Buffer is HostView view) return view.Span(slice.Offset, slice.Length);
        if (slice.Buffer is not CpuBuffer cpu)
        {
            throw new ArgumentException($"The slice belongs to a {slice.Buffer.GetType().Name}, not to a CPU buffer.", nameof(slice));
        }
        if (cpu.IsDisposed) throw new ObjectDisposedException(nameof(CpuBuffer));
        return cpu.Data.AsSpan(slice.Offset, slice.Length);
    }

    /// <inheritdoc />
    DeviceBuffer IHostBackend.CreateView() => new HostView();

    /// <inheritdoc />
    unsafe BufferSlice IHostBackend.View(DeviceBuffer view, float* data, int length) => ((HostView)view).PointTo(data, length);

    /// <inheritdoc />
    Span<float> IHostBackend.HostSpan(BufferSlice slice) => Span(slice);

    /// <inheritdoc />
    int IHostBackend.BlockRows => PredictBlockRows;

    /// <inheritdoc />
    IBackend IHostBackend.CreatePeer() => new CpuBackend(Threads);

    /// <inheritdoc />
    IBackend IHostBackend.Serial => _pool is null ? this : _serial ??= new CpuBackend();

    /// <inheritdoc />
    bool IHostBackend.TryRunBlocks(IParallelWork work, int blocks, ref bool warmed)
    {
        if (_pool is null || blocks < _pool.Threads) return false;
        if (!warmed)
        {
            (_everyThread ??= new EveryThread()).Run(_pool, work);
            warmed = true;
        }
        _pool.Run(work, blocks);
        return true;
    }

    /// <summary>
    /// Participant t owns rows [t·Rows/T, (t+1)·Rows/T) of a matrix whose forward product is split over the pool: the
    /// rows the forward GEMM reads on that core (its columns of z are rows of W, and participant t takes the t-th
    /// block of them). A matrix too small to split, and every vector (a bias's gradient is a column sum on the caller),
    /// belongs to participant 0, the calling thread that runs those serial passes. Each core then mostly touches memory
    /// already in its own cache; pulling the other core's half of the arena across made a step slower on two threads than on one.
    /// </summary>
    object? IHostBackend.PartitionArena(IReadOnlyList<ArenaBlock> blocks, int length)
    {
        if (_pool is null) return null;
        int threads = _pool.Threads;
        var ranges = new List<(int, int, int)>();
        foreach (ArenaBlock block in blocks)
        {
            int owners = block.Flops < GemmBlocked.ParallelFlops ? 1 : threads;
            for (int t = 0; t < owners; t++)
            {
                int r0 = (int)((long)t * block.Rows / owners), r1 = (int)((long)(t + 1) * block.Rows / owners);
                ranges.Add((block.Offset + r0 * block.Columns, (r1 - r0) * block.Columns, t));
            }
        }
        return new CpuPartition(threads, length, ranges);
    }

    /// <inheritdoc />
    double IHostBackend.SumOfSquares(BufferSlice x, object? partition) => SumOfSquares(Span(x), (CpuPartition?)partition);

    /// <inheritdoc />
    void IHostBackend.OptimizerStep(Optimizer optimizer, BufferSlice parameters, BufferSlice gradients, BufferSlice moment1, BufferSlice moment2,
        long step, float gradientScale, object? partition) =>
        OptimizerStep(optimizer, parameters, gradients, moment1, moment2, step, gradientScale, (CpuPartition?)partition);

    /// <inheritdoc />
    public void Upload(BufferSlice destination, ReadOnlySpan<float> source)
    {
        Check.SameLength(source.Length, destination.Length, nameof(source), nameof(destination));
        source.CopyTo(Span(destination));
    }

    /// <inheritdoc />
    public void Download(Span<float> destination, BufferSlice source)
    {
        Check.SameLength(destination.Length, source.Length, nameof(destination), nameof(source));
        Span(source).CopyTo(destination);
    }

    /// <inheritdoc />
    public void Copy(BufferSlice destination, BufferSlice source)
    {
        Check.SameLength(source.Length, destination.Length, nameof(source), nameof(destination));
        Span(source).CopyTo(Span(destination));
    }

    /// <inheritdoc />
    public void Fill(BufferSlice destination, float value) => Span(destination).Fill(value);

    /// <inheritdoc />
    public void Gemm(BufferSlice c, BufferSlice a, BufferSlice b, int m, int n, int k, bool transposeA, bool transposeB, bool accumulate) =>
        Kernels.Gemm.Multiply(Span(c), Span(a), Span(b), m, n, k, transposeA, transposeB, accumulate, _pool);

    /// <inheritdoc />
    /// <remarks>The two ops in turn (the GEMM's epilogue fusion on the host is not done yet).</remarks>
    public void DenseForward(BufferSlice y, BufferSlice z, BufferSlice x, BufferSlice weight, BufferSlice bias, Activation activation, int rows, int columns, int inputs)
    {
        Gemm(z, x, weight, rows, columns, inputs, transposeA: false, transposeB: true, accumulate: false);   // z = x·Wᵀ
        BiasActivationForward(y, z, bias, activation, rows, columns);                                      // z += b; y = f(z)
    }

    /// <inheritdoc />
    public void BiasActivationForward(BufferSlice y, BufferSlice z, BufferSlice bias, Activation activation, int rows, int columns)
    {
        if (y.Equals(z) && activation.Kind != ActivationKind.Linear) ActivationKernels.BiasActivationInPlace(Span(y), Span(bias), activation, rows, columns);
        else BiasActivationForward(Span(y), Span(z), Span(bias), activation, rows, columns);
    }

    /// <inheritdoc />
    public void ActivationBackward(BufferSlice dZ, BufferSlice dY, BufferSlice z, BufferSlice y, Activation activation, int rows, int columns) =>
        ActivationBackward(Span(dZ), Span(dY), Span(z), Span(y), activation, rows, columns);

    /// <inheritdoc />
    public void ColumnSum(BufferSlice sums, BufferSlice x, int rows, int columns, bool accumulate) =>
        ColumnSum(Span(sums), Span(x), rows, columns, accumulate);

    /// <summary><see cref="ActivationKernels.BiasActivationForward"/>, blocks of whole rows in parallel when large.</summary>
    internal unsafe void BiasActivationForward(Span<float> y, Span<float> z, ReadOnlySpan<float> bias, Activation activation, int rows, int columns)
    {
        if (_ops is null || (long)rows * columns < ParallelElements || rows < 2 * RowChunk)
        {
            ActivationKernels.BiasActivationForward(y, z, bias, activation, rows, columns);
            return;
        }
        ActivationKernels.CheckForward(y.Length, z.Length, bias.Length, rows, columns);
        fixed (float* py = y)
        fixed (float* pz = z)
        fixed (float* pb = bias)
        {
            _ops.Set(ParallelOps.Kind.Forward, py, pz, bias.IsEmpty ? null : pb, null, rows, columns, activation);
            _pool!.RunAffine(_ops, (rows + RowChunk - 1) / RowChunk);
        }
    }

    /// <summary><see cref="ActivationKernels.Backward"/>, blocks of whole rows in parallel when large.</summary>
    internal unsafe void ActivationBackward(Span<float> dZ, ReadOnlySpan<float> dY, ReadOnlySpan<float> z, ReadOnlySpan<float> y, Activation activation,
        int rows, int columns)
    {
        if (_ops is null || (long)rows * columns < ParallelElements || rows < 2 * RowChunk)
        {
            ActivationKernels.Backward(dZ, dY, z, y, activation, rows, columns);
            return;
        }
        ActivationKernels.CheckBackward(dZ.Length, dY.Length, z.Length, y.Length, rows, columns);
        fixed (float* pdz = dZ)
        fixed (float* pdy = dY)
        fixed (float* pz = z)
        fixed (float* py = y)
        {
            _ops.Set(ParallelOps.Kind.Backward, pdz, pdy, pz, py, rows, columns, activation);
            _pool!.RunAffine(_ops, (rows + RowChunk - 1) / RowChunk);
        }
    }

    /// <summary><see cref="ReductionKernels.ColumnSum"/>, blocks of columns in parallel when large (each column is still summed from row 0 down).</summary>
    internal unsafe void ColumnSum(Span<float> sums, ReadOnlySpan<float> x, int rows, int columns, bool accumulate = true)
    {
        if (_ops is null || (long)rows * columns < ParallelElements || columns < 2 * ParallelOps.ColumnChunk)
        {
            ReductionKernels.ColumnSum(sums, x, rows, columns, accumulate);
            return;
        }
        ReductionKernels.CheckColumnSum(sums.Length, x.Length, rows, columns);
        fixed (float* ps = sums)
        fixed (float* px = x)
        {
            _ops.Set(ParallelOps.Kind.ColumnSum, ps, px, null, null, rows, columns, default);
            _ops.Accumulate = accumulate;
            _pool!.RunAffine(_ops, (columns + ParallelOps.ColumnChunk - 1) / ParallelOps.ColumnChunk);
        }
    }

    /// <summary>
    /// <see cref="ReductionKernels.SumOfSquares"/>, its blocks in parallel when large, then summed in order: the same bits.
    /// With a <paramref name="partition"/> that fits, each participant sums the blocks it owns in it (the same blocks,
    /// so still the same bits); otherwise the blocks are dealt out in ranges.
    /// </summary>
    internal unsafe double SumOfSquares(ReadOnlySpan<float> x, CpuPartition? partition = null)
    {
        // Without SIMD the serial sum is all in double: no blocks to split.
        if (_ops is null || x.Length < ParallelElements || !System.Numerics.Vector.IsHardwareAccelerated) return ReductionKernels.SumOfSquares(x);
        bool owned = partition is not null && partition.Participants == _pool!.Threads && partition.Length == x.Length;
        int blocks = (x.Length + ReductionKernels.SumOfSquaresBlock - 1) / ReductionKernels.SumOfSquaresBlock;
        if (_partials.Length < blocks) _partials = new float[blocks];
        fixed (float* px = x)
        fixed (float* pp = _partials)
        {
            _ops.Set(owned ? ParallelOps.Kind.SumOfSquaresOwned : ParallelOps.Kind.SumOfSquares, px, pp, null, null, x.Length, blocks, default);
            _ops.Items = owned ? partition!.Participants : Math.Min(blocks, 4 * _pool!.Threads);
            RunParallel(owned ? partition : null);
        }
        double total = 0;
        for (int b = 0; b < blocks; b++) total += _partials[b];
        return total;
    }

    // Runs _ops over _ops.Items items, with the partition set for the owned kinds while they run.
    private void RunParallel(CpuPartition? partition)
    {
        _ops!.Partition = partition;
        try
        {
            _pool!.RunAffine(_ops, _ops.Items);
        }
        finally
        {
            _ops.Partition = null;
        }
    }

    /// <inheritdoc />
    public float LossForward(Loss loss, BufferSlice output, BufferSlice preActivation, BufferSlice target, int rows, int columns) =>
        LossKernels.Forward(loss, Span(output), Span(preActivation), Span(target), rows, columns);

    /// <inheritdoc />
    public void LossBackward(BufferSlice gradient, Loss loss, BufferSlice output, BufferSlice preActivation, BufferSlice target, int rows, int columns) =>
        LossKernels.Backward(Span(gradient), loss, Span(output), Span(preActivation), Span(target), rows, columns);

    /// <inheritdoc />
    public double SumOfSquares(BufferSlice x) => SumOfSquares(Span(x));

    /// <inheritdoc />
    public void OptimizerStep(Optimizer optimizer, BufferSlice parameters, BufferSlice gradients, BufferSlice moment1, BufferSlice moment2,
        long step, float gradientScale) =>
        OptimizerStep(optimizer, parameters, gradients, moment1, moment2, step, gradientScale, partition: null);

    /// <summary>
    /// <see cref="OptimizerStep(Optimizer, BufferSlice, BufferSlice, BufferSlice, BufferSlice, long, float)"/>, in parallel
    /// when large. With a <paramref name="partition"/> that fits, each participant updates the ranges it owns in it;
    /// otherwise fixed chunks are dealt out. Element-wise either way: the same bits.
    /// </summary>
    internal unsafe void OptimizerStep(Optimizer optimizer, BufferSlice parameters, BufferSlice gradients, BufferSlice moment1, BufferSlice moment2,
        long step, float gradientScale, CpuPartition? partition)
    {
        Span<float> p = Span(parameters), g = Span(gradients), m1 = Span(moment1), m2 = Span(moment2);
        if (_ops is null || p.Length < ParallelElements)
        {
            Step(optimizer, p, g, m1, m2, step, gradientScale);
            return;
        }
        bool owned = partition is not null && partition.Participants == _pool!.Threads && partition.Length == p.Length;
        // Validate the whole arrays before any chunk runs (a chunk would see a consistent but partial picture).
        OptimizerKernels.CheckStep(optimizer.Kind, p.Length, g.Length, m1.Length, m2.Length, step);
        fixed (float* pp = p)
        fixed (float* pg = g)
        fixed (float* pm1 = m1)
        fixed (float* pm2 = m2)
        {
            _ops.Set(owned ? ParallelOps.Kind.OptimizerOwned : ParallelOps.Kind.Optimizer, pp, pg, pm1, pm2, p.Length, 0, default);
            _ops.Optimizer = optimizer;
            _ops.Step = step;
            _ops.GradientScale = gradientScale;
            _ops.Items = owned ? partition!.Participants : (p.Length + OptimizerChunk - 1) / OptimizerChunk;
            RunParallel(owned ? partition : null);
        }
    }

    private static void Step(Optimizer optimizer, Span<float> p, Span<float> g, Span<float> m1, Span<float> m2, long step, float gradientScale)
    {
        switch (optimizer.Kind)
        {
            case OptimizerKind.GradientDescent:
                OptimizerKernels.GradientDescent(p, g, optimizer.LearningRate, optimizer.WeightDecay, gradientScale);
                break;
            case OptimizerKind.Momentum:
                OptimizerKernels.Momentum(p, m1, g, optimizer.LearningRate, optimizer.Momentum, optimizer.Nesterov, optimizer.WeightDecay, gradientScale);
                break;
            case OptimizerKind.Adam:
                OptimizerKernels.Adam(p, m1, m2, g, optimizer.LearningRate, optimizer.Beta1, optimizer.Beta2, optimizer.Epsilon, optimizer.WeightDecay,
                    step, gradientScale);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(optimizer), optimizer.Kind, "Unknown optimizer.");
        }
    }

    /// <inheritdoc />
    public void Lerp(BufferSlice destination, BufferSlice source, float t) => ReductionKernels.Lerp(Span(destination), Span(source), t);

    /// <inheritdoc />
    public void GruGatesForward(BufferSlice hNext, BufferSlice gates, BufferSlice gx, BufferSlice gh, BufferSlice h, int rows, int hidden) =>
        RecurrentKernels.GruGatesForward(Span(hNext), Span(gates), Span(gx), Span(gh), Span(h), rows, hidden);

    /// <inheritdoc />
    public void GruGatesBackward(BufferSlice dGx, BufferSlice dGh, BufferSlice dH, BufferSlice dHNext, BufferSlice gates, BufferSlice gh, BufferSlice h,
        int rows, int hidden) =>
        RecurrentKernels.GruGatesBackward(Span(dGx), Span(dGh), Span(dH), Span(dHNext), Span(gates), Span(gh), Span(h), rows, hidden);

    /// <inheritdoc />
    public void Synchronize()
    {
    }

    /// <summary>Stops the worker threads.</summary>
    public void Dispose()
    {
        _pool?.Dispose();
        _serial?.Dispose();
    }

    /// <summary>
    /// The parallel passes, one work object per backend (so a pass allocates nothing): the caller pins its spans,
    /// sets the pointers and sizes, and runs the pool over fixed chunks.
    /// </summary>
    private sealed unsafe class ParallelOps : IParallelWork
    {
        /// <summary>Columns per column-sum item: four AVX-512 registers.</summary>
        public const int ColumnChunk = 64;

        private Kind _kind;
        private float* _a, _b, _c, _d;
        private int _rows, _columns;
        private Activation _activation;

        public enum Kind
        {
            Forward,
            Backward,
            ColumnSum,
            SumOfSquares,
            Optimizer,
            SumOfSquaresOwned,
            OptimizerOwned,
        }

        public CpuPartition? Partition { get; set; }

        public bool Accumulate { get; set; }

        public int Items { get; set; }

        public Optimizer Optimizer { get; set; }

        public long Step { get; set; }

        public float GradientScale { get; set; }

        public void Set(Kind kind, float* a, float* b, float* c, float* d, int rows, int columns, Activation activation)
        {
            _kind = kind;
            _a = a;
            _b = b;
            _c = c;
            _d = d;
            _rows = rows;
            _columns = columns;
            _activation = activation;
        }

        public void Execute(int item)
        {
            switch (_kind)
            {
                case Kind.Forward:
                {
                    int r0 = item * RowChunk, n = Math.Min(RowChunk, _rows - r0), length = n * _columns;
                    nint at = (nint)r0 * _columns;
                    var bias = _c is null ? default : new ReadOnlySpan<float>(_c, _columns);
                    ActivationKernels.BiasActivationForward(new Span<float>(_a + at, length), new Span<float>(_b + at, length), bias, _activation, n, _columns);
                    break;
                }
                case Kind.Backward:
                {
                    int r0 = item * RowChunk, n = Math.Min(RowChunk, _rows - r0), length = n * _columns;
                    nint at = (nint)r0 * _columns;
                    ActivationKernels.Backward(new Span<float>(_a + at, length), new ReadOnlySpan<float>(_b + at, length),
                        new ReadOnlySpan<float>(_c + at, length), new ReadOnlySpan<float>(_d + at, length), _activation, n, _columns);
                    break;
                }
                case Kind.ColumnSum:
                {
                    int first = item * ColumnChunk, end = Math.Min(first + ColumnChunk, _columns);
                    ReductionKernels.ColumnSumRange(GemmIsas.Best, _a, _b, _rows, _columns, first, end, Accumulate);
                    break;
                }
                case Kind.SumOfSquares:
                {
                    int blocks = _columns, first = (int)((long)item * blocks / Items), end = (int)((long)(item + 1) * blocks / Items);
                    ReductionKernels.BlockSumsOfSquares(new ReadOnlySpan<float>(_a, _rows), first, end, new Span<float>(_b, blocks));
                    break;
                }
                case Kind.Optimizer:
                {
                    int start = item * OptimizerChunk, n = Math.Min(OptimizerChunk, _rows - start);
                    var m1 = _c is null ? default : new Span<float>(_c + start, n);
                    var m2 = _d is null ? default : new Span<float>(_d + start, n);
                    CpuBackend.Step(Optimizer, new Span<float>(_a + start, n), new Span<float>(_b + start, n), m1, m2, Step, GradientScale);
                    break;
                }
                case Kind.SumOfSquaresOwned:
                {
                    CpuPartition partition = Partition!;
                    var x = new ReadOnlySpan<float>(_a, _rows);
                    var partials = new Span<float>(_b, _columns);
                    (int first, int end) = partition.Blocks(item);
                    for (int i = first; i < end; i++)
                    {
                        int b = partition.Block(i);
                        ReductionKernels.BlockSumsOfSquares(x, b, b + 1, partials);
                    }
                    break;
                }
                case Kind.OptimizerOwned:
                {
                    CpuPartition partition = Partition!;
                    (int first, int end) = partition.Ranges(item);
                    for (int i = first; i < end; i++)
                    {
                        int start = partition.RangeStart(i), n = partition.RangeLength(i);
                        var m1 = _c is null ? default : new Span<float>(_c + start, n);
                        var m2 = _d is null ? default : new Span<float>(_d + start, n);
                        CpuBackend.Step(Optimizer, new Span<float>(_a + start, n), new Span<float>(_b + start, n), m1, m2, Step, GradientScale);
                    }
                    break;
                }
            }
        }
    }

    /// <summary>
    /// Runs item 0 of a work once on every thread of a pool: each item holds its thread until every participant holds one
    /// (at most 250 ms, should the pool be busy with another caller and run them inline), so no thread takes two.
    /// </summary>
    private sealed class EveryThread : IParallelWork
    {
        private IParallelWork? _work;
        private int _started, _participants;

        public void Run(WorkerPool pool, IParallelWork work)
        {
            (_work, _started, _participants) = (work, 0, pool.Threads);
            try
            {
                pool.Run(this, pool.Threads);
            }
            finally
            {
                _work = null;
            }
        }

        public void Execute(int item)
        {
            System.Threading.Interlocked.Increment(ref _started);
            long deadline = System.Diagnostics.Stopwatch.GetTimestamp() + System.Diagnostics.Stopwatch.Frequency / 4;
            var spin = new System.Threading.SpinWait();
            while (System.Threading.Volatile.Read(ref _started) < _participants && System.Diagnostics.Stopwatch.GetTimestamp() < deadline) spin.SpinOnce();
            _work!.Execute(0);
        }
    }

    /// <summary>A buffer over host memory the caller pinned (the caller's own inputs, targets or outputs).</summary>
    private sealed unsafe class HostView : DeviceBuffer
    {
        private float* _data;
        private int _valid;

        public HostView() : base(int.MaxValue)
        {
        }

        public BufferSlice PointTo(float* data, int length)
        {
            _data = data;
            _valid = length;
            return Slice(0, length);
        }

        public Span<float> Span(int offset, int length)
        {
            if (IsDisposed) throw new ObjectDisposedException(nameof(HostView));
            if ((uint)offset > (uint)_valid || (uint)length > (uint)(_valid - offset))
            {
                throw new ArgumentOutOfRangeException(nameof(length), length, $"[{offset}, {offset + length}) lies outside the {_valid} floats the view covers.");
            }
            return new Span<float>(_data + offset, length);
        }
    }

    private sealed class CpuBuffer : DeviceBuffer
    {
        public CpuBuffer(int length) : base(length) => Data = new float[length];

        public float[] Data { get; }
    }
}
