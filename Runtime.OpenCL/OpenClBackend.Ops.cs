using System;
using Cortex.Kernels;
using Cortex.Tensors;

namespace Cortex.OpenCL;

// The math ops: validate exactly as CpuBackend's kernels do, then enqueue. Nothing here waits for the
// device except LossForward and SumOfSquares, which return a value (and ReadQueued, see OpenClBackend.Queued.cs).
public sealed partial class OpenClBackend
{
    /// <inheritdoc />
    public void Gemm(BufferSlice c, BufferSlice a, BufferSlice b, int m, int n, int k, bool transposeA, bool transposeB, bool accumulate)
    {
        Kernels.Gemm.Validate(c.Length, a.Length, b.Length, m, n, k);
        long needC = (long)m * n;
        lock (_sync)
        {
            ThrowIfDisposed();
            Own(c, nameof(c));
            Own(a, nameof(a));
            Own(b, nameof(b));
            if (needC == 0) return;
            GemmCore(c, a, b, m, n, k, transposeA, transposeB, accumulate, default, default, default);
        }
    }

    /// <inheritdoc />
    /// <remarks>One launch: the GEMM kernel applies bias and activation to its finished sums (softmax, row-wise, takes two).</remarks>
    public void DenseForward(BufferSlice y, BufferSlice z, BufferSlice x, BufferSlice weight, BufferSlice bias, Activation activation, int rows, int columns, int inputs)
    {
        Kernels.Gemm.Validate(z.Length, x.Length, weight.Length, rows, columns, inputs);
        ActivationKernels.CheckForward(y.Length, z.Length, bias.Length, rows, columns);
        CheckKind(activation);
        if (activation.Kind == ActivationKind.Softmax)
        {
            Gemm(z, x, weight, rows, columns, inputs, transposeA: false, transposeB: true, accumulate: false);
            BiasActivationForward(y, z, bias, activation, rows, columns);
            return;
        }
        lock (_sync)
        {
            ThrowIfDisposed();
            Own(y, nameof(y));
            Own(z, nameof(z));
            Own(x, nameof(x));
            Own(weight, nameof(weight));
            Own(bias, nameof(bias));
            if ((long)rows * columns == 0) return;
            GemmCore(z, x, weight, rows, columns, inputs, false, true, false, y, bias, activation);
        }
    }

    // c = op(a)·op(b) (+= when accumulate); with an epilogue (y given): c += bias, y = f(c), in the same launch.
    // Large products (every product on a CPU device) run on the variant measured fastest on this device (see
    // OpenClBackend.Tuning.cs); the others on the tiled kernel.
    private void GemmCore(BufferSlice c, BufferSlice a, BufferSlice b, int m, int n, int k, bool transposeA, bool transposeB, bool accumulate,
        BufferSlice y, BufferSlice bias, Activation activation)
    {
        bool tuned = _gemmVariants.Length > 1 && PreferBlockedGemm && (TunesEveryProduct || (m >= BlockedGemmMinimum && n >= BlockedGemmMinimum));
        LaunchGemm(tuned ? LargeGemm() : _gemmVariants[0], c, a, b, m, n, k, transposeA, transposeB, accumulate, y, bias, activation);
    }

    private void LaunchGemm(GemmKernel g, BufferSlice c, BufferSlice a, BufferSlice b, int m, int n, int k, bool transposeA, bool transposeB, bool accumulate,
        BufferSlice y, BufferSlice bias, Activation activation)
    {
        long needA = (long)m * k, needB = (long)k * n;
        bool epilogue = y.Buffer is not null, hasBias = !bias.IsEmpty;
        Begin(g.Kernel);
        Push(c);
        Push(needA == 0 ? c : a);      // an empty operand (k = 0) is never read; any buffer will do
        Push(needB == 0 ? c : b);
        Push(m);
        Push(n);
        Push(k);
        Push(transposeA ? 1 : 0);
        Push(transposeB ? 1 : 0);
        Push(accumulate ? 1 : 0);
        Push(epilogue ? y : c);
        Push(hasBias ? bias : c);
        Push(hasBias ? 1 : 0);
        Push(epilogue ? 1 : 0);
        Push((int)activation.Kind);
        Push(activation.Alpha);
        if (g.LanesRows > 0)
        {
            Run2D((n + 15) / 16, (m + g.LanesRows - 1) / g.LanesRows, 1, 1);
        }
        else if (g.Threads > 0)
        {
            Run2D((n + g.Tile - 1) / g.Tile * (long)g.Threads, (m + g.Tile - 1) / g.Tile * (long)g.Threads, g.Threads, g.Threads);
        }
        else
        {
            Run2D((n + _tile - 1) / _tile * (long)_tile, (m + _tile - 1) / _tile * (long)_tile, _tile, _tile);
        }
    }

    /// <inheritdoc />
    public void BiasActivationForward(BufferSlice y, BufferSlice z, BufferSlice bias, Activation activation, int rows, int columns)
    {
        ActivationKernels.CheckForward(y.Length, z.Length, bias.Length, rows, columns);
        CheckKind(activation);
        lock (_sync)
        {
            ThrowIfDisposed();
            Own(y, nameof(y));
            Own(z, nameof(z));
            Own(bias, nameof(bias));
            int n = rows * columns;
            if (n == 0) return;
            bool hasBias = !bias.IsEmpty;
            if (activation.Kind == ActivationKind.Softmax)
            {
                Begin(_biasSoftmax);
                Push(y);
                Push(z);
                Push(hasBias ? bias : z);
                Push(hasBias ? 1 : 0);
                Push(rows);
                Push(columns);
                Run(rows);
                return;
            }
            if (activation.Kind == ActivationKind.Linear && !hasBias)
            {
                if (!SameStart(y, z)) CopyCore(y.Take(n), z.Take(n));
                return;
            }
            Begin(_biasActivation);
            Push(y);
            Push(z);
            Push(hasBias ? bias : z);
            Push(hasBias ? 1 : 0);
            Push((int)activation.Kind);
            Push(activation.Alpha);
            Push(rows);
            Push(columns);
            Run(n);
        }
    }

    /// <inheritdoc />
    public void ActivationBackward(BufferSlice dZ, BufferSlice dY, BufferSlice z, BufferSlice y, Activation activation, int rows, int columns)
    {
        ActivationKernels.CheckBackward(dZ.Length, dY.Length, z.Length, y.Length, rows, columns);
        CheckKind(activation);
        lock (_sync)
        {
            ThrowIfDisposed();
            Own(dZ, nameof(dZ));
            Own(dY, nameof(dY));
            Own(z, nameof(z));
            Own(y, nameof(y));
            int n = rows * columns;
            if (n == 0) return;
            switch (activation.Kind)
            {
                case ActivationKind.Linear:                                    // f' = 1
                    if (!SameStart(dZ, dY)) CopyCore(dZ.Take(n), dY.Take(n));
                    return;
                case ActivationKind.BinaryStep:                                // f' = 0
                    FillCore(dZ.Take(n), 0f);
                    return;
                case ActivationKind.Softmax:
                    Begin(_softmaxBackward);
                    Push(dZ);
                    Push(dY);
                    Push(y);
                    Push(rows);
                    Push(columns);
                    Run(rows);
                    return;
                default:
                    Begin(_activationBackward);
                    Push(dZ);
                    Push(dY);
                    Push(z);
                    Push(y);
                    Push((int)activation.Kind);
                    Push(activation.Alpha);
                    Push(n);
                    Run(n);
                    return;
            }
        }
    }

    /// <inheritdoc />
    public void ColumnSum(BufferSlice sums, BufferSlice x, int rows, int columns, bool accumulate)
    {
        ReductionKernels.CheckColumnSum(sums.Length, x.Length, rows, columns);
        lock (_sync)
        {
            ThrowIfDisposed();
            Own(sums, nameof(sums));
            Own(x, nameof(x));
            if (columns == 0) return;
            Begin(_columnSum);
            Push(sums);
            Push(rows == 0 ? sums : x);
            Push(rows);
            Push(columns);
            Push(accumulate ? 1 : 0);
            Run(columns);
        }
    }

    /// <inheritdoc />
    public float LossForward(Loss loss, BufferSlice output, BufferSlice preActivation, BufferSlice target, int rows, int columns)
    {
        ValidateLoss(loss, output, preActivation, target, rows, columns);
        lock (_sync)
        {
            ThrowIfDisposed();
            Own(output, nameof(output));
            Own(preActivation, nameof(preActivation));
            Own(target, nameof(target));
            if (rows == 0) return 0f;
            QueueRowLosses(loss, output, preActivation, target, rows, columns);
            return (float)(SumCore(_rowLosses!.Slice(0, rows), square: false) / rows);
        }
    }

    // loss_rows: one loss per row into _rowLosses (grown to fit).
    private void QueueRowLosses(Loss loss, BufferSlice output, BufferSlice preActivation, BufferSlice target, int rows, int columns)
    {
        EnsureRowLosses(rows);
        Begin(_lossRows);
        PushMemory(_rowLosses!);
        Push(output);
        Push(preActivation);
        Push(target);
        Push((int)loss.Kind);
        Push(loss.Delta);
        Push(rows);
        Push(columns);
        Run(rows);
    }

    /// <inheritdoc />
    public void LossBackward(BufferSlice gradient, Loss loss, BufferSlice output, BufferSlice preActivation, BufferSlice target, int rows, int columns)
    {
        ValidateLoss(loss, output, preActivation, target, rows, columns);
        Check.Matrix(gradient.Length, rows, columns, nameof(gradient));
        lock (_sync)
        {
            ThrowIfDisposed();
            Own(gradient, nameof(gradient));
            Own(output, nameof(output));
            Own(preActivation, nameof(preActivation));
            Own(target, nameof(target));
            if (rows == 0) return;
            float perRow = 1f / rows, perElement = 1f / ((float)rows * columns);
            if (loss.Kind is LossKind.SoftmaxCrossEntropy or LossKind.Hinge)
            {
                Begin(_lossBackwardRows);
                Push(gradient);
                Push(output);
                Push(target);
                Push((int)loss.Kind);
                Push(perRow);
                Push(rows);
                Push(columns);
                Run(rows);
                return;
            }
            int n = rows * columns;
            Begin(_lossBackwardElements);
            Push(gradient);
            Push(output);
            Push(target);
            Push((int)loss.Kind);
            Push(loss.Delta);
            Push(perElement);
            Push(n);
            Run(n);
        }
    }

    /// <inheritdoc />
    public double SumOfSquares(BufferSlice x)
    {
        lock (_sync)
        {
            ThrowIfDisposed();
            Own(x, nameof(x));
            return x.Length == 0 ? 0.0 : SumCore(x, square: true);
        }
    }

    /// <inheritdoc />
    public void OptimizerStep(Optimizer optimizer, BufferSlice parameters, BufferSlice gradients, BufferSlice moment1, BufferSlice moment2,
        long step, float gradientScale)
    {
        OptimizerKernels.CheckStep(optimizer.Kind, parameters.Length, gradients.Length, moment1.Length, moment2.Length, step);
        lock (_sync)
        {
            ThrowIfDisposed();
            Own(parameters, nameof(parameters));
            Own(gradients, nameof(gradients));
            Own(moment1, nameof(moment1));
            Own(moment2, nameof(moment2));
            QueueOptimizerStep(optimizer, parameters, gradients, moment1, moment2, step, gradientScale, null);
        }
    }

    // The optimizer kernel; with control, the scale and whether to step come from the device (step_scale) instead of gradientScale.
    private void QueueOptimizerStep(Optimizer optimizer, BufferSlice parameters, BufferSlice gradients, BufferSlice moment1, BufferSlice moment2,
        long step, float gradientScale, OpenClBuffer? control)
    {
        int n = parameters.Length;
        if (n == 0) return;
        switch (optimizer.Kind)
        {
            case OptimizerKind.GradientDescent:
                Begin(_gradientDescent);
                Push(parameters);
                Push(gradients);
                Push(n);
                Push(optimizer.LearningRate);
                Push(optimizer.WeightDecay);
                Push(gradientScale);
                break;
            case OptimizerKind.Momentum:
                Begin(_momentum);
                Push(parameters);
                Push(moment1);
                Push(gradients);
                Push(n);
                Push(optimizer.LearningRate);
                Push(optimizer.Momentum);
                Push(optimizer.Nesterov ? 1 : 0);
                Push(optimizer.WeightDecay);
                Push(gradientScale);
                break;
            default:
                Begin(_adam);
                Push(parameters);
                Push(moment1);
                Push(moment2);
                Push(gradients);
                Push(n);
                Push(optimizer.LearningRate);
                Push(optimizer.Beta1);
                Push(optimizer.Beta2);
                Push(optimizer.Epsilon);
                Push(optimizer.WeightDecay);
                Push((float)(1.0 / (1.0 - Math.Pow(optimizer.Beta1, step))));
                Push((float)(1.0 / (1.0 - Math.Pow(optimizer.Beta2, step))));
                Push(gradientScale);
                break;
        }
        PushMemory(control ?? _partials);
        Push(control is null ? 0 : 1);
        Run(n);
    }

    /// <inheritdoc />
    public void GruGatesForward(BufferSlice hNext, BufferSlice gates, BufferSlice gx, BufferSlice gh, BufferSlice h, int rows, int hidden)
    {
        RecurrentKernels.CheckGru(hNext.Length, nameof(hNext), gates.Length, nameof(gates), gx.Length, nameof(gx), gh.Length, nameof(gh), h.Length, nameof(h), rows, hidden);
        lock (_sync)
        {
            ThrowIfDisposed();
            Own(hNext, nameof(hNext));
            Own(gates, nameof(gates));
            Own(gx, nameof(gx));
            Own(gh, nameof(gh));
            Own(h, nameof(h));
            int n = rows * hidden;
            if (n == 0) return;
            Begin(_gruForward);
            Push(hNext);
            Push(gates);
            Push(gx);
            Push(gh);
            Push(h);
            Push(rows);
            Push(hidden);
            Run(n);
        }
    }

    /// <inheritdoc />
    public void GruGatesBackward(BufferSlice dGx, BufferSlice dGh, BufferSlice dH, BufferSlice dHNext, BufferSlice gates, BufferSlice gh, BufferSlice h,
        int rows, int hidden)
    {
        RecurrentKernels.CheckGru(dH.Length, nameof(dH), gates.Length, nameof(gates), dGx.Length, nameof(dGx), gh.Length, nameof(gh), h.Length, nameof(h), rows, hidden);
        Check.Matrix(dGh.Length, rows, 3 * hidden, nameof(dGh));
        Check.Matrix(dHNext.Length, rows, hidden, nameof(dHNext));
        lock (_sync)
        {
            ThrowIfDisposed();
            Own(dGx, nameof(dGx));
            Own(dGh, nameof(dGh));
            Own(dH, nameof(dH));
            Own(dHNext, nameof(dHNext));
            Own(gates, nameof(gates));
            Own(gh, nameof(gh));
            Own(h, nameof(h));
            int n = rows * hidden;
            if (n == 0) return;
            Begin(_gruBackward);
            Push(dGx);
            Push(dGh);
            Push(dH);
            Push(dHNext);
            Push(gates);
            Push(gh);
            Push(h);
            Push(rows);
            Push(hidden);
            Run(n);
        }
    }

    /// <inheritdoc />
    public void Lerp(BufferSlice destination, BufferSlice source, float t)
    {
        Check.SameLength(source.Length, destination.Length, nameof(source), nameof(destination));
        if (!(t >= 0f && t <= 1f)) throw new ArgumentOutOfRangeException(nameof(t), t, "t must lie in [0, 1].");
        lock (_sync)
        {
            ThrowIfDisposed();
            Own(destination, nameof(destination));
            Own(source, nameof(source));
            int n = destination.Length;
            if (n == 0) return;
            Begin(_lerp);
            Push(destination);
            Push(source);
            Push(n);
            Push(t);
            Run(n);
        }
    }

    // Σ x (or Σ x²): a fixed launch shape for a given length, partial sums read back and added in double.
    private double SumCore(BufferSlice x, bool square)
    {
        int groups = QueuePartialSums(_partials, x, square);
        Span<float> partials = _hostPartials.AsSpan(0, groups);
        Read(partials, _partials.Slice(0, groups));
        return AddPartials(partials);
    }

    private void EnsureRowLosses(int rows)
    {
        if (_rowLosses is not null && _rowLosses.Length >= rows) return;
        _rowLosses?.Dispose();
        _rowLosses = null;
        _rowLosses = (OpenClBuffer)Allocate(Math.Max(rows, 256));
    }

    // reduce_sum into partials: one partial per work-group, their count returned (the launch shape depends on the length alone).
    private int QueuePartialSums(OpenClBuffer partials, BufferSlice x, bool square)
    {
        int n = x.Length;
        int groups = (int)Math.Min(MaxPartials, ((long)n + _reduceGroup - 1) / _reduceGroup);
        Begin(_reduceSum);
        PushMemory(partials);
        Push(x);
        Push(n);
        Push(square ? 1 : 0);
        Run(groups * _reduceGroup, _reduceGroup);
        return groups;
    }

    // In order, in double: the one summation every scalar result of this backend uses.
    private static double AddPartials(ReadOnlySpan<float> partials)
    {
        double total = 0;
        foreach (float p in partials) total += p;
        return total;
    }

    private static bool SameStart(BufferSlice a, BufferSlice b) => ReferenceEquals(a.Buffer, b.Buffer) && a.Offset == b.Offset;

    private static void CheckKind(Activation activation)
    {
        if (!Activation.IsDefined(activation.Kind)) throw new ArgumentOutOfRangeException(nameof(activation), activation.Kind, "Unknown activation.");
    }

    private static void ValidateLoss(Loss loss, BufferSlice output, BufferSlice preActivation, BufferSlice target, int rows, int columns)
    {
        LossKernels.Validate(output.Length, preActivation.Length, target.Length, rows, columns);
        if (loss.Kind > LossKind.Huber) throw new ArgumentOutOfRangeException(nameof(loss), loss.Kind, "Unknown loss.");
    }
}
