using System;
using System.Threading;
using Cortex.Backends;
using Cortex.Kernels;
using Cortex.Layers;
using Cortex.Tensors;

namespace Cortex;

// The CPU fast paths. On a CpuBackend the workspace is host memory, so Predict and a training step run the
// span kernels directly: the first layer reads the caller's inputs in place (no upload copy), the loss reads
// the caller's targets in place, and Predict's last layer writes the caller's outputs (no download copy).
// Predict cuts a batch into fixed blocks of PredictBlockRows rows that each run through the whole network,
// in parallel on the backend's pool when there is a block per thread; the blocks depend on the batch alone,
// and a row's result does not depend on the thread that computes it, so outputs are bitwise identical for
// any thread count.
public sealed partial class Brain
{
    /// <summary>Rows per Predict block: activations of a block stay in L2, and 256 rows keep the GEMMs efficient.</summary>
    internal const int PredictBlockRows = 256;

    private CpuBackend? _cpu;
    private PredictWork? _predictWork;
    private CpuPartition? _ownership;
    private bool _inputInWorkspace;

    private void InitializeCpuPath()
    {
        if (_backend is not CpuBackend cpu) return;
        _cpu = cpu;
        _predictWork = new PredictWork(this);
        if (cpu.Pool is { } pool) _ownership = OwnershipFor(pool.Threads);
    }

    /// <summary>
    /// Who owns which parameters on a pool of <paramref name="threads"/>, for the gradient norm and the optimizer step:
    /// participant t owns rows [t·Out/T, (t+1)·Out/T) of a layer's W, the rows the forward GEMM reads on that core (its
    /// columns of z are rows of W, and participant t takes the t-th block of them). A layer whose products are too
    /// small to split, and every bias (its gradient is a column sum on the caller), belong to participant 0, the
    /// calling thread that runs those serial passes. Each core then mostly touches memory already in its own cache;
    /// pulling the other core's half of the arena across made the step slower on two threads than on one.
    /// </summary>
    private CpuPartition OwnershipFor(int threads)
    {
        var ranges = new System.Collections.Generic.List<(int, int, int)>();
        int offset = 0;
        foreach (Dense layer in _layers)
        {
            int fanIn = layer.Inputs, width = layer.Outputs;
            // A layer whose products are too small to split runs them on the caller (participant 0), which then owns it all.
            int owners = 2.0 * MaxBatch * width * fanIn < GemmBlocked.ParallelFlops ? 1 : threads;
            for (int t = 0; t < owners; t++)
            {
                int r0 = (int)((long)t * width / owners), r1 = (int)((long)(t + 1) * width / owners);
                ranges.Add((offset + r0 * fanIn, (r1 - r0) * fanIn, t));                      // rows of W
            }
            ranges.Add((offset + width * fanIn, width, 0));   // b: its gradient comes from a column sum on the caller
            offset += layer.ParameterCount;
        }
        return new CpuPartition(threads, offset, ranges);
    }

    /// <summary>Σ x² over an arena laid out like the parameters, split by <see cref="OwnershipFor"/> on a CPU pool.</summary>
    private double ArenaSquares(DeviceBuffer arena) =>
        _ownership is not null ? _cpu!.SumOfSquares(CpuBackend.Span(arena.All), _ownership) : _backend.SumOfSquares(arena.All);

    /// <summary>The optimizer step over the arena, split by <see cref="OwnershipFor"/> on a CPU pool.</summary>
    private void StepOptimizer(BufferSlice moment1, BufferSlice moment2, float scale)
    {
        if (_ownership is not null) _cpu!.OptimizerStep(_optimizer, _parameters.All, _gradients.All, moment1, moment2, Steps, scale, _ownership);
        else _backend.OptimizerStep(_optimizer, _parameters.All, _gradients.All, moment1, moment2, Steps, scale);
    }

    private unsafe void PredictOnCpu(ReadOnlySpan<float> inputs, Span<float> outputs, int batch)
    {
        WorkerPool? pool = _cpu!.Pool;
        for (int start = 0; start < batch; start += MaxBatch)
        {
            int rows = Math.Min(MaxBatch, batch - start);
            ReadOnlySpan<float> x = inputs.Slice(start * Inputs, rows * Inputs);
            Span<float> y = outputs.Slice(start * Outputs, rows * Outputs);
            int blocks = (rows + PredictBlockRows - 1) / PredictBlockRows;
            if (pool is not null && blocks >= pool.Threads)
            {
                if (!_predictWork!.Prepared) _predictWork.PrepareThreads(pool);
                fixed (float* px = x)
                fixed (float* py = y)
                {
                    _predictWork!.Begin(px, py, rows);
                    pool.Run(_predictWork, blocks);
                }
                continue;
            }
            // One block per thread or fewer: blocks in order, each GEMM split over the pool instead.
            for (int block = 0; block < blocks; block++)
            {
                int r0 = block * PredictBlockRows, n = Math.Min(PredictBlockRows, rows - r0);
                ForwardRows(x.Slice(r0 * Inputs, n * Inputs), y.Slice(r0 * Outputs, n * Outputs), r0, n, pool, toOutput: true);
            }
        }
    }

    /// <summary>
    /// Rows [r0, r0 + n) of the workspace through every layer, from <paramref name="x"/> (n, Inputs). The last layer
    /// writes <paramref name="output"/> (n, Outputs) when <paramref name="toOutput"/>, else its workspace slices.
    /// </summary>
    private void ForwardRows(ReadOnlySpan<float> x, Span<float> output, int r0, int n, WorkerPool? pool, bool toOutput)
    {
        int last = _layers.Length - 1;
        for (int i = 0; i <= last; i++)
        {
            Dense layer = _layers[i];
            int width = layer.Outputs;
            bool linear = layer.Activation.Kind == ActivationKind.Linear;
            ReadOnlySpan<float> weight = CpuBackend.Span(layer.Weight), bias = CpuBackend.Span(layer.Bias);
            if (toOutput)
            {
                // Inference keeps no pre-activation: y = f(x·Wᵀ + b) computed in place, straight into the outputs
                // for the last layer (or, for a non-linear last layer, into its z slice and then the outputs).
                Span<float> v = i == last && linear ? output : CpuBackend.Span(_z[i]).Slice(r0 * width, n * width);
                Gemm.Multiply(v, x, weight, n, width, layer.Inputs, false, true, false, pool);                       // z = x·Wᵀ
                if (i == last && !linear)
                {
                    ActivationKernels.BiasActivationForward(output, v, bias, layer.Activation, n, width);           // z += b; y = f(z)
                    break;
                }
                ActivationKernels.BiasActivationInPlace(v, bias, layer.Activation, n, width);                      // y = f(z + b)
                x = v;
                continue;
            }
            Span<float> z = CpuBackend.Span(_z[i]).Slice(r0 * width, n * width);
            Span<float> y = linear ? z : CpuBackend.Span(_y[i]).Slice(r0 * width, n * width);
            Gemm.Multiply(z, x, weight, n, width, layer.Inputs, false, true, false, pool);                          // z = x·Wᵀ
            _cpu!.BiasActivationForward(y, z, bias, layer.Activation, n, width);                                    // z += b; y = f(z)
            x = y;
        }
    }

    // Forward on the caller's inputs, the loss on the caller's targets, backward with the first layer's dW read
    // from the caller's inputs. Same operations as the backend path, minus the two copies.
    private float AccumulateOnCpu(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batch)
    {
        WorkerPool? pool = _cpu!.Pool;
        int last = _layers.Length - 1, n = batch * Outputs;
        inputs = inputs.Slice(0, batch * Inputs);
        targets = targets.Slice(0, n);
        ForwardRows(inputs, default, 0, batch, pool, toOutput: false);
        _forwardRows = batch;
        _inputInWorkspace = false;
        Span<float> y = CpuBackend.Span(_y[last]).Slice(0, n), z = CpuBackend.Span(_z[last]).Slice(0, n);
        float loss = LossKernels.Forward(Spec.Loss, y, z, targets, batch, Outputs);
        if (!IsFinite(loss)) return loss;
        LossKernels.Backward(CpuBackend.Span(_gradientA), Spec.Loss, y, z, targets, batch, Outputs);

        Span<float> dY = CpuBackend.Span(_gradientA), spare = CpuBackend.Span(_gradientB);
        for (int i = last; i >= 0; i--)
        {
            Dense layer = _layers[i];
            int width = layer.Outputs, fanIn = layer.Inputs;
            Span<float> dZ = dY.Slice(0, batch * width);
            ReadOnlySpan<float> x = i == 0 ? inputs : CpuBackend.Span(_y[i - 1]).Slice(0, batch * fanIn);
            if (!(Spec.Loss.IsFused && i == last))                                                                  // dZ = f′(z) ⊙ dY
            {
                _cpu.ActivationBackward(dZ, dZ, CpuBackend.Span(_z[i]).Slice(0, batch * width), CpuBackend.Span(_y[i]).Slice(0, batch * width),
                    layer.Activation, batch, width);
            }
            _cpu.ColumnSum(CpuBackend.Span(layer.BiasGradient), dZ, batch, width);                                  // db += Σ_rows dZ
            Gemm.Multiply(CpuBackend.Span(layer.WeightGradient), dZ, x, width, fanIn, batch, true, false, true, pool); // dW += dZᵀ·x
            if (i > 0) Gemm.Multiply(spare, dZ, CpuBackend.Span(layer.Weight), batch, fanIn, width, false, false, false, pool); // dX = dZ·W
            Span<float> swap = dY;
            dY = spare;
            spare = swap;
        }
        return loss;
    }

    /// <summary>One Predict block a work item: rows [item·PredictBlockRows, …) of the current chunk.</summary>
    private sealed unsafe class PredictWork : IParallelWork
    {
        private readonly Brain _brain;
        private float* _x, _y;
        private int _rows;

        private bool _preparing;
        private int _started, _participants;

        public PredictWork(Brain brain) => _brain = brain;

        /// <summary>Whether every thread of the pool has run a full block (see <see cref="PrepareThreads"/>).</summary>
        public bool Prepared { get; private set; }

        /// <summary>
        /// Runs one full block of zeros on every thread of the pool, each exactly once, so that each thread's GEMM buffers
        /// (which grow to the shapes a thread has run) reach their size now, in the first Predict. Otherwise a worker
        /// grows them whenever timing first hands it a block, which may be long after any warm-up (the flaky
        /// zero-allocation test). Items hold their thread until all have started (at most 250 ms, should the pool be
        /// busy with another brain and run them inline).
        /// </summary>
        public void PrepareThreads(WorkerPool pool)
        {
            Brain b = _brain;
            int n = Math.Min(PredictBlockRows, b.MaxBatch);
            float[] x = new float[n * b.Inputs], y = new float[n * b.Outputs];
            fixed (float* px = x)
            fixed (float* py = y)
            {
                Begin(px, py, n);
                _started = 0;
                _participants = pool.Threads;
                _preparing = true;
                try
                {
                    pool.Run(this, pool.Threads);
                }
                finally
                {
                    _preparing = false;
                    _x = _y = null;
                }
            }
            Prepared = true;
        }

        public void Begin(float* x, float* y, int rows)
        {
            _x = x;
            _y = y;
            _rows = rows;
        }

        public void Execute(int item)
        {
            if (_preparing)
            {
                // Hold this thread until every participant holds an item, so that each runs exactly one.
                Interlocked.Increment(ref _started);
                long deadline = System.Diagnostics.Stopwatch.GetTimestamp() + System.Diagnostics.Stopwatch.Frequency / 4;
                var spin = new SpinWait();
                while (Volatile.Read(ref _started) < _participants && System.Diagnostics.Stopwatch.GetTimestamp() < deadline) spin.SpinOnce();
                item = 0;   // every thread runs the same full block (racing on scratch rows whose values do not matter)
            }
            Brain b = _brain;
            int r0 = item * PredictBlockRows, n = Math.Min(PredictBlockRows, _rows - r0);
            var x = new ReadOnlySpan<float>(_x + (nint)r0 * b.Inputs, n * b.Inputs);
            var y = new Span<float>(_y + (nint)r0 * b.Outputs, n * b.Outputs);
            b.ForwardRows(x, y, r0, n, null, toOutput: true);
        }
    }
}
