using System;
using Cortex.Kernels;
using Cortex.Tensors;

namespace Cortex.Backends;

/// <summary>
/// The reference backend: managed SIMD kernels on the CPU, GEMM spread over a dedicated
/// <see cref="WorkerPool"/> when <see cref="Threads"/> &gt; 1. Results are bitwise identical for any
/// thread count on a given machine.
/// </summary>
public sealed class CpuBackend : IBackend
{
    private readonly WorkerPool? _pool;

    /// <summary>Creates a CPU backend.</summary>
    /// <param name="threads">Threads for large GEMMs, the caller included; 1 keeps everything on the calling thread.</param>
    public CpuBackend(int threads = 1)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be at least 1.");
        Threads = threads;
        _pool = threads > 1 ? new WorkerPool(threads) : null;
    }

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
        if (slice.Buffer is not CpuBuffer cpu)
        {
            throw new ArgumentException($"The slice belongs to a {slice.Buffer.GetType().Name}, not to a CPU buffer.", nameof(slice));
        }
        if (cpu.IsDisposed) throw new ObjectDisposedException(nameof(CpuBuffer));
        return cpu.Data.AsSpan(slice.Offset, slice.Length);
    }

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
    public void BiasActivationForward(BufferSlice y, BufferSlice z, BufferSlice bias, Activation activation, int rows, int columns) =>
        ActivationKernels.BiasActivationForward(Span(y), Span(z), Span(bias), activation, rows, columns);

    /// <inheritdoc />
    public void ActivationBackward(BufferSlice dZ, BufferSlice dY, BufferSlice z, BufferSlice y, Activation activation, int rows, int columns) =>
        ActivationKernels.Backward(Span(dZ), Span(dY), Span(z), Span(y), activation, rows, columns);

    /// <inheritdoc />
    public void ColumnSum(BufferSlice sums, BufferSlice x, int rows, int columns, bool accumulate) =>
        ReductionKernels.ColumnSum(Span(sums), Span(x), rows, columns, accumulate);

    /// <inheritdoc />
    public float LossForward(Loss loss, BufferSlice output, BufferSlice preActivation, BufferSlice target, int rows, int columns) =>
        LossKernels.Forward(loss, Span(output), Span(preActivation), Span(target), rows, columns);

    /// <inheritdoc />
    public void LossBackward(BufferSlice gradient, Loss loss, BufferSlice output, BufferSlice preActivation, BufferSlice target, int rows, int columns) =>
        LossKernels.Backward(Span(gradient), loss, Span(output), Span(preActivation), Span(target), rows, columns);

    /// <inheritdoc />
    public double SumOfSquares(BufferSlice x) => ReductionKernels.SumOfSquares(Span(x));

    /// <inheritdoc />
    public void OptimizerStep(Optimizer optimizer, BufferSlice parameters, BufferSlice gradients, BufferSlice moment1, BufferSlice moment2,
        long step, float gradientScale)
    {
        switch (optimizer.Kind)
        {
            case OptimizerKind.GradientDescent:
                OptimizerKernels.GradientDescent(Span(parameters), Span(gradients), optimizer.LearningRate, optimizer.WeightDecay, gradientScale);
                break;
            case OptimizerKind.Momentum:
                OptimizerKernels.Momentum(Span(parameters), Span(moment1), Span(gradients), optimizer.LearningRate, optimizer.Momentum,
                    optimizer.Nesterov, optimizer.WeightDecay, gradientScale);
                break;
            case OptimizerKind.Adam:
                OptimizerKernels.Adam(Span(parameters), Span(moment1), Span(moment2), Span(gradients), optimizer.LearningRate,
                    optimizer.Beta1, optimizer.Beta2, optimizer.Epsilon, optimizer.WeightDecay, step, gradientScale);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(optimizer), optimizer.Kind, "Unknown optimizer.");
        }
    }

    /// <inheritdoc />
    public void Lerp(BufferSlice destination, BufferSlice source, float t) => ReductionKernels.Lerp(Span(destination), Span(source), t);

    /// <inheritdoc />
    public void Synchronize()
    {
    }

    /// <summary>Stops the worker threads.</summary>
    public void Dispose() => _pool?.Dispose();

    private sealed class CpuBuffer : DeviceBuffer
    {
        public CpuBuffer(int length) : base(length) => Data = new float[length];

        public float[] Data { get; }
    }
}
