using System;
using System.Numerics;
using System.Runtime.CompilerServices;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
#endif

namespace Cortex.Kernels;

/// <summary>
/// Float kernels for the activation table (<see cref="Activation.Forward(double)"/> /
/// <see cref="Activation.Derivative(double, double)"/> are their definition, <see cref="ActivationKernelsNaive"/>
/// their reference), with the bias add fused into the same pass on the way forward. Span in, span out;
/// nothing allocates.
/// </summary>
/// <remarks>
/// One pass per row: load z, add the bias, store z, apply f, store y, in the widest registers the machine
/// has (AVX-512, AVX2 + FMA, System.Numerics.Vector, or scalar), then narrower ones for the rest of the
/// row. Sigmoid, tanh, softplus, ELU and softmax use the vectorised functions of <c>VectorMath</c>
/// (a few ulp from the double definitions). Every operation is lane-wise and the tail of a row uses the
/// same fused or unfused multiply-add as its body, so an element's value does not depend on where in the
/// row it sits or on the thread that computes it; only the softmax sum depends on the instruction set.
/// </remarks>
public static class ActivationKernels
{
    /// <summary>
    /// z += b (broadcast over rows), then y = f(z). y may be the same memory as z only for
    /// <see cref="ActivationKind.Linear"/> (then nothing is copied).
    /// </summary>
    /// <param name="y">Output (rows, columns).</param>
    /// <param name="z">Pre-activation (rows, columns), updated in place with the bias.</param>
    /// <param name="bias">Bias (columns), or empty for none.</param>
    /// <param name="activation">The function.</param>
    /// <param name="rows">Batch size.</param>
    /// <param name="columns">Width.</param>
    public static void BiasActivationForward(Span<float> y, Span<float> z, ReadOnlySpan<float> bias, Activation activation, int rows, int columns)
    {
        CheckForward(y.Length, z.Length, bias.Length, rows, columns);
        ForwardOn(GemmIsas.Best, y, z, bias, activation, rows, columns);
    }

    /// <summary>The checks of <see cref="BiasActivationForward"/> on operand lengths (any backend's buffers); a bias of length 0 is none.</summary>
    internal static void CheckForward(int y, int z, int bias, int rows, int columns)
    {
        Check.Dimensions(rows, columns);
        Check.Matrix(y, rows, columns, nameof(y));
        Check.Matrix(z, rows, columns, nameof(z));
        if (bias != 0) Check.SameLength(bias, columns, nameof(bias), "a row of z");
    }

    /// <summary>The checks of <see cref="Backward"/> on operand lengths (any backend's buffers).</summary>
    internal static void CheckBackward(int dZ, int dY, int z, int y, int rows, int columns)
    {
        Check.Dimensions(rows, columns);
        Check.Matrix(dZ, rows, columns, nameof(dZ));
        Check.Matrix(dY, rows, columns, nameof(dY));
        Check.Matrix(z, rows, columns, nameof(z));
        Check.Matrix(y, rows, columns, nameof(y));
    }

    /// <summary>dZ = f′(z) ⊙ dY (for softmax, the row-wise vector-Jacobian product). dZ may be the same memory as dY.</summary>
    /// <param name="dZ">Output gradient with respect to z (rows, columns).</param>
    /// <param name="dY">Gradient with respect to y (rows, columns).</param>
    /// <param name="z">Pre-activation from the forward pass.</param>
    /// <param name="y">Output from the forward pass.</param>
    /// <param name="activation">The function.</param>
    /// <param name="rows">Batch size.</param>
    /// <param name="columns">Width.</param>
    public static void Backward(Span<float> dZ, ReadOnlySpan<float> dY, ReadOnlySpan<float> z, ReadOnlySpan<float> y,
        Activation activation, int rows, int columns)
    {
        CheckBackward(dZ.Length, dY.Length, z.Length, y.Length, rows, columns);
        BackwardOn(GemmIsas.Best, dZ, dY, z, y, activation, rows, columns);
    }

    /// <summary>Stable logistic function: never evaluates e^x for large positive x.</summary>
    /// <param name="x">Input.</param>
    public static float Sigmoid(float x)
    {
        if (x >= 0f) return 1f / (1f + MathF.Exp(-x));
        float e = MathF.Exp(x);
        return e / (1f + e);
    }

    /// <summary>Stable softplus: max(x, 0) + ln(1 + e^−|x|), accurate when e^−|x| is tiny.</summary>
    /// <param name="x">Input.</param>
    public static float Softplus(float x)
    {
        float e = MathF.Exp(-MathF.Abs(x));
        float u = 1f + e;
        float log1p = u == 1f ? e : MathF.Log(u) * e / (u - 1f);
        return MathF.Max(x, 0f) + log1p;
    }

    /// <summary>
    /// v = f(v + b) in place, for inference, where the pre-activation is not kept (same values as
    /// <see cref="BiasActivationForward"/> writes to y). Validated like it; nothing allocates.
    /// </summary>
    /// <param name="values">z on entry, y on return (rows, columns).</param>
    /// <param name="bias">Bias (columns), or empty for none.</param>
    /// <param name="activation">The function.</param>
    /// <param name="rows">Batch size.</param>
    /// <param name="columns">Width.</param>
    internal static void BiasActivationInPlace(Span<float> values, ReadOnlySpan<float> bias, Activation activation, int rows, int columns)
    {
        Check.Dimensions(rows, columns);
        Check.Matrix(values.Length, rows, columns, nameof(values));
        if (!bias.IsEmpty) Check.SameLength(bias.Length, columns, nameof(bias), "a row of values");
        InPlaceOn(GemmIsas.Best, values, bias, activation, rows, columns);
    }

    /// <summary><see cref="BiasActivationInPlace"/> on a chosen instruction set (validated by the caller).</summary>
    [MethodImpl(JitHints.HotLoop)]
    internal static unsafe void InPlaceOn(GemmIsa isa, Span<float> values, ReadOnlySpan<float> bias, Activation activation, int rows, int columns)
    {
        if (activation.Kind is ActivationKind.Linear or ActivationKind.Softmax)
        {
            ForwardOn(isa, values, values, bias, activation, rows, columns);        // both already work in place
            return;
        }
        if (!GemmIsas.IsSupported(isa)) throw new ArgumentOutOfRangeException(nameof(isa), isa, "This instruction set is not available here.");
        if (rows == 0 || columns == 0) return;
        fixed (float* pv = values)
        fixed (float* pb = bias)
        {
            float* b = bias.IsEmpty ? null : pb;
            switch (activation.Kind)
            {
                case ActivationKind.BinaryStep: Rows(isa, pv, null, b, rows, columns, default(StepFunction)); return;
                case ActivationKind.Sigmoid: Rows(isa, pv, null, b, rows, columns, default(SigmoidFunction)); return;
                case ActivationKind.Tanh: Rows(isa, pv, null, b, rows, columns, default(TanhFunction)); return;
                case ActivationKind.Relu: Rows(isa, pv, null, b, rows, columns, default(ReluFunction)); return;
                case ActivationKind.LeakyRelu: Rows(isa, pv, null, b, rows, columns, new LeakyReluFunction(activation.Alpha)); return;
                case ActivationKind.Softplus: Rows(isa, pv, null, b, rows, columns, default(SoftplusFunction)); return;
                case ActivationKind.Elu: Rows(isa, pv, null, b, rows, columns, new EluFunction(activation.Alpha)); return;
                default:
                    throw new ArgumentOutOfRangeException(nameof(activation), activation.Kind, "Unknown activation.");
            }
        }
    }

    /// <summary><see cref="BiasActivationForward"/> on a chosen instruction set (validated by the caller; tests run every one).</summary>
    [MethodImpl(JitHints.HotLoop)]
    internal static unsafe void ForwardOn(GemmIsa isa, Span<float> y, Span<float> z, ReadOnlySpan<float> bias, Activation activation, int rows, int columns)
    {
        if (!GemmIsas.IsSupported(isa)) throw new ArgumentOutOfRangeException(nameof(isa), isa, "This instruction set is not available here.");
        if (rows == 0 || columns == 0) return;
        fixed (float* py = y)
        fixed (float* pz = z)
        fixed (float* pb = bias)
        {
            float* b = bias.IsEmpty ? null : pb;
            switch (activation.Kind)
            {
                case ActivationKind.Linear:
                    if (b is null)
                    {
                        if (py != pz) z.Slice(0, rows * columns).CopyTo(y);
                        return;
                    }
                    Rows(isa, py, pz, b, rows, columns, default(LinearFunction));
                    return;
                case ActivationKind.BinaryStep: Rows(isa, py, pz, b, rows, columns, default(StepFunction)); return;
                case ActivationKind.Sigmoid: Rows(isa, py, pz, b, rows, columns, default(SigmoidFunction)); return;
                case ActivationKind.Tanh: Rows(isa, py, pz, b, rows, columns, default(TanhFunction)); return;
                case ActivationKind.Relu: Rows(isa, py, pz, b, rows, columns, default(ReluFunction)); return;
                case ActivationKind.LeakyRelu: Rows(isa, py, pz, b, rows, columns, new LeakyReluFunction(activation.Alpha)); return;
                case ActivationKind.Softplus: Rows(isa, py, pz, b, rows, columns, default(SoftplusFunction)); return;
                case ActivationKind.Elu: Rows(isa, py, pz, b, rows, columns, new EluFunction(activation.Alpha)); return;
                case ActivationKind.Softmax:
                    if (b is not null) Rows(isa, pz, pz, b, rows, columns, default(LinearFunction));
                    for (int r = 0; r < rows; r++) SoftmaxRow(isa, py + (nint)r * columns, pz + (nint)r * columns, columns);
                    return;
                default:
                    throw new ArgumentOutOfRangeException(nameof(activation), activation.Kind, "Unknown activation.");
            }
        }
    }

    /// <summary><see cref="Backward"/> on a chosen instruction set (validated by the caller).</summary>
    [MethodImpl(JitHints.HotLoop)]
    internal static unsafe void BackwardOn(GemmIsa isa, Span<float> dZ, ReadOnlySpan<float> dY, ReadOnlySpan<float> z, ReadOnlySpan<float> y,
        Activation activation, int rows, int columns)
    {
        if (!GemmIsas.IsSupported(isa)) throw new ArgumentOutOfRangeException(nameof(isa), isa, "This instruction set is not available here.");
        int n = rows * columns;
        if (n == 0) return;
        fixed (float* pdz = dZ)
        fixed (float* pdy = dY)
        fixed (float* pz = z)
        fixed (float* py = y)
        {
            switch (activation.Kind)
            {
                case ActivationKind.Linear:                                    // f′ = 1
                    if (pdz != pdy) dY.Slice(0, n).CopyTo(dZ);
                    return;
                case ActivationKind.BinaryStep:                                // f′ = 0 (also at 0, by choice)
                    dZ.Slice(0, n).Clear();
                    return;
                case ActivationKind.Sigmoid: Elements(isa, pdz, pdy, pz, py, n, default(SigmoidDerivative)); return;
                case ActivationKind.Tanh: Elements(isa, pdz, pdy, pz, py, n, default(TanhDerivative)); return;
                case ActivationKind.Relu: Elements(isa, pdz, pdy, pz, py, n, default(ReluDerivative)); return;
                case ActivationKind.LeakyRelu: Elements(isa, pdz, pdy, pz, py, n, new LeakyReluDerivative(activation.Alpha)); return;
                case ActivationKind.Elu: Elements(isa, pdz, pdy, pz, py, n, new EluDerivative(activation.Alpha)); return;
                case ActivationKind.Softplus: Elements(isa, pdz, pdy, pz, py, n, default(SoftplusDerivative)); return;
                case ActivationKind.Softmax:                                   // dz_i = y_i (dy_i − Σ_j dy_j y_j)
                    for (int r = 0; r < rows; r++)
                    {
                        nint at = (nint)r * columns;
                        SoftmaxBackwardRow(isa, pdz + at, pdy + at, py + at, columns);
                    }
                    return;
                default:
                    throw new ArgumentOutOfRangeException(nameof(activation), activation.Kind, "Unknown activation.");
            }
        }
    }

    // Dispatch of a row-wise forward pass: widest registers first, then narrower ones with the same kind of
    // multiply-add, then scalar, so every element sees the same operations.
    private static unsafe void Rows<TF>(GemmIsa isa, float* y, float* z, float* bias, int rows, int columns, TF f) where TF : struct, IActivationFunction
    {
        switch (isa)
        {
#if NET8_0_OR_GREATER
            case GemmIsa.Avx512: Rows<Ops512, Vector512<float>, Ops256, Vector256<float>, OpsScalarFused, TF>(y, z, bias, rows, columns, f); break;
            case GemmIsa.Avx2: Rows<Ops256, Vector256<float>, Ops256, Vector256<float>, OpsScalarFused, TF>(y, z, bias, rows, columns, f); break;
#endif
            case GemmIsa.Vector: Rows<OpsVector, Vector<float>, OpsVector, Vector<float>, OpsScalar, TF>(y, z, bias, rows, columns, f); break;
            default: Rows<OpsScalar, float, OpsScalar, float, OpsScalar, TF>(y, z, bias, rows, columns, f); break;
        }
    }

    [MethodImpl(JitHints.HotLoop)]
    private static unsafe void Rows<TO, TV, TN, TW, TS, TF>(float* y, float* z, float* bias, int rows, int columns, TF f)
        where TO : struct, IVectorOps<TV> where TV : struct
        where TN : struct, IVectorOps<TW> where TW : struct
        where TS : struct, IVectorOps<float>
        where TF : struct, IActivationFunction
    {
        if (z is null) z = y;                                                  // in place; z is not kept
        if (bias is null)
        {
            RunSpan<TO, TV, TN, TW, TS, TF>(y, z, null, 0, rows * columns, f);   // no bias: the rows are one flat span
            return;
        }
        for (int r = 0; r < rows; r++)
        {
            nint at = (nint)r * columns;
            RunSpan<TO, TV, TN, TW, TS, TF>(y + at, z + at, bias, 0, columns, f);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void RunSpan<TO, TV, TN, TW, TS, TF>(float* y, float* z, float* bias, int j, int n, TF f)
        where TO : struct, IVectorOps<TV> where TV : struct
        where TN : struct, IVectorOps<TW> where TW : struct
        where TS : struct, IVectorOps<float>
        where TF : struct, IActivationFunction
    {
        j = Apply<TO, TV, TF>(y, z, bias, j, n, f);
        if (typeof(TN) != typeof(TO)) j = Apply<TN, TW, TF>(y, z, bias, j, n, f);
        Apply<TS, float, TF>(y, z, bias, j, n, f);
    }

    // z[j..] += bias[j..] (when given), y[j..] = f(z[j..]) for every whole register from j; returns where it stopped.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe int Apply<TO, TV, TF>(float* y, float* z, float* bias, int j, int n, TF f)
        where TO : struct, IVectorOps<TV> where TV : struct where TF : struct, IActivationFunction
    {
        TO o = default;
        int w = o.Count;
        if (bias is null)
        {
            for (; j <= n - w; j += w) o.Store(y + j, f.Apply<TO, TV>(o.Load(z + j)));
            return j;
        }
        if (y == z)
        {
            for (; j <= n - w; j += w) o.Store(y + j, f.Apply<TO, TV>(o.Add(o.Load(z + j), o.Load(bias + j))));
            return j;
        }
        for (; j <= n - w; j += w)
        {
            TV v = o.Add(o.Load(z + j), o.Load(bias + j));
            o.Store(z + j, v);
            o.Store(y + j, f.Apply<TO, TV>(v));
        }
        return j;
    }

    private static unsafe void Elements<TD>(GemmIsa isa, float* dZ, float* dY, float* z, float* y, int n, TD d) where TD : struct, IActivationDerivative
    {
        switch (isa)
        {
#if NET8_0_OR_GREATER
            case GemmIsa.Avx512: Elements<Ops512, Vector512<float>, Ops256, Vector256<float>, OpsScalarFused, TD>(dZ, dY, z, y, n, d); break;
            case GemmIsa.Avx2: Elements<Ops256, Vector256<float>, Ops256, Vector256<float>, OpsScalarFused, TD>(dZ, dY, z, y, n, d); break;
#endif
            case GemmIsa.Vector: Elements<OpsVector, Vector<float>, OpsVector, Vector<float>, OpsScalar, TD>(dZ, dY, z, y, n, d); break;
            default: Elements<OpsScalar, float, OpsScalar, float, OpsScalar, TD>(dZ, dY, z, y, n, d); break;
        }
    }

    [MethodImpl(JitHints.HotLoop)]
    private static unsafe void Elements<TO, TV, TN, TW, TS, TD>(float* dZ, float* dY, float* z, float* y, int n, TD d)
        where TO : struct, IVectorOps<TV> where TV : struct
        where TN : struct, IVectorOps<TW> where TW : struct
        where TS : struct, IVectorOps<float>
        where TD : struct, IActivationDerivative
    {
        int j = Derive<TO, TV, TD>(dZ, dY, z, y, 0, n, d);
        if (typeof(TN) != typeof(TO)) j = Derive<TN, TW, TD>(dZ, dY, z, y, j, n, d);
        Derive<TS, float, TD>(dZ, dY, z, y, j, n, d);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe int Derive<TO, TV, TD>(float* dZ, float* dY, float* z, float* y, int j, int n, TD d)
        where TO : struct, IVectorOps<TV> where TV : struct where TD : struct, IActivationDerivative
    {
        TO o = default;
        int w = o.Count;
        for (; j <= n - w; j += w) o.Store(dZ + j, d.Apply<TO, TV>(o.Load(dY + j), o.Load(z + j), o.Load(y + j)));
        return j;
    }

    private static unsafe void SoftmaxRow(GemmIsa isa, float* y, float* z, int n)
    {
        switch (isa)
        {
#if NET8_0_OR_GREATER
            case GemmIsa.Avx512: SoftmaxRow<Ops512, Vector512<float>, Ops256, Vector256<float>, OpsScalarFused>(y, z, n); break;
            case GemmIsa.Avx2: SoftmaxRow<Ops256, Vector256<float>, Ops256, Vector256<float>, OpsScalarFused>(y, z, n); break;
#endif
            case GemmIsa.Vector: SoftmaxRow<OpsVector, Vector<float>, OpsVector, Vector<float>, OpsScalar>(y, z, n); break;
            default: SoftmaxRow<OpsScalar, float, OpsScalar, float, OpsScalar>(y, z, n); break;
        }
    }

    // y = exp(z − max z) / Σ exp(z − max z). The maximum is exact in any order; the sum is taken in a fixed
    // order per instruction set (register lanes, then the tail left to right). A NaN in z gives a NaN
    // difference, so a NaN sum and a NaN row, as in the reference.
    [MethodImpl(JitHints.HotLoop)]
    private static unsafe void SoftmaxRow<TO, TV, TN, TW, TS>(float* y, float* z, int n)
        where TO : struct, IVectorOps<TV> where TV : struct
        where TN : struct, IVectorOps<TW> where TW : struct
        where TS : struct, IVectorOps<float>
    {
        TO o = default;
        TN on = default;
        int w = o.Count, wn = on.Count, j = 0;
        float max = float.NegativeInfinity;
        if (n >= w)
        {
            TV m = o.Load(z);
            for (j = w; j <= n - w; j += w) m = o.Max(m, o.Load(z + j));
            max = o.MaxAcross(m);
        }
        for (; j < n; j++) max = z[j] > max ? z[j] : max;

        float sum = 0f;
        j = 0;
        if (n >= w)
        {
            TV vmax = o.Create(max), acc = o.Create(0f);
            for (; j <= n - w; j += w)
            {
                TV e = ExpOfDifference<TO, TV>(o.Load(z + j), vmax);
                o.Store(y + j, e);
                acc = o.Add(acc, e);
            }
            sum = o.Sum(acc);
        }
        if (typeof(TN) != typeof(TO) && n - j >= wn)
        {
            TW vmax = on.Create(max);
            TW e = ExpOfDifference<TN, TW>(on.Load(z + j), vmax);
            on.Store(y + j, e);
            sum += on.Sum(e);
            j += wn;
        }
        for (; j < n; j++)
        {
            float e = ExpOfDifference<TS, float>(z[j], max);
            y[j] = e;
            sum += e;
        }

        j = 0;
        TV vsum = o.Create(sum);
        for (; j <= n - w; j += w) o.Store(y + j, o.Divide(o.Load(y + j), vsum));
        for (; j < n; j++) y[j] /= sum;
    }

    // exp(z − max) with NaN kept (the difference is ≤ 0 unless something is NaN).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV ExpOfDifference<TO, TV>(TV z, TV max) where TO : struct, IVectorOps<TV> where TV : struct
    {
        TO o = default;
        TV d = o.Subtract(z, max);
        return o.Select(o.IsNumber(d), VectorMath.Exp<TO, TV>(d), d);
    }

    private static unsafe void SoftmaxBackwardRow(GemmIsa isa, float* dZ, float* dY, float* y, int n)
    {
        switch (isa)
        {
#if NET8_0_OR_GREATER
            case GemmIsa.Avx512: SoftmaxBackwardRow<Ops512, Vector512<float>>(dZ, dY, y, n); break;
            case GemmIsa.Avx2: SoftmaxBackwardRow<Ops256, Vector256<float>>(dZ, dY, y, n); break;
#endif
            case GemmIsa.Vector: SoftmaxBackwardRow<OpsVector, Vector<float>>(dZ, dY, y, n); break;
            default: SoftmaxBackwardRow<OpsScalar, float>(dZ, dY, y, n); break;
        }
    }

    // s = Σ dy·y (lanes, then the tail), dz = y·(dy − s).
    [MethodImpl(JitHints.HotLoop)]
    private static unsafe void SoftmaxBackwardRow<TO, TV>(float* dZ, float* dY, float* y, int n) where TO : struct, IVectorOps<TV> where TV : struct
    {
        TO o = default;
        int w = o.Count, j = 0;
        float s = 0f;
        if (n >= w)
        {
            TV acc = o.Create(0f);
            for (; j <= n - w; j += w) acc = o.Add(acc, o.Multiply(o.Load(dY + j), o.Load(y + j)));
            s = o.Sum(acc);
        }
        for (; j < n; j++) s += dY[j] * y[j];
        TV vs = o.Create(s);
        for (j = 0; j <= n - w; j += w) o.Store(dZ + j, o.Multiply(o.Load(y + j), o.Subtract(o.Load(dY + j), vs)));
        for (; j < n; j++) dZ[j] = y[j] * (dY[j] - s);
    }

    /// <summary>An element-wise activation, applied in any register type.</summary>
    private interface IActivationFunction
    {
        TV Apply<TO, TV>(TV z) where TO : struct, IVectorOps<TV> where TV : struct;
    }

    /// <summary>A local derivative: dz from dy, z and y.</summary>
    private interface IActivationDerivative
    {
        TV Apply<TO, TV>(TV dy, TV z, TV y) where TO : struct, IVectorOps<TV> where TV : struct;
    }

    private readonly struct LinearFunction : IActivationFunction
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Apply<TO, TV>(TV z) where TO : struct, IVectorOps<TV> where TV : struct => z;
    }

    private readonly struct StepFunction : IActivationFunction                       // 1 from 0 on (NaN too)
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Apply<TO, TV>(TV z) where TO : struct, IVectorOps<TV> where TV : struct
        {
            TO o = default;
            return o.Select(o.LessThan(z, o.Create(0f)), o.Create(0f), o.Create(1f));
        }
    }

    private readonly struct SigmoidFunction : IActivationFunction
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Apply<TO, TV>(TV z) where TO : struct, IVectorOps<TV> where TV : struct => VectorMath.Sigmoid<TO, TV>(z);
    }

    private readonly struct TanhFunction : IActivationFunction
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Apply<TO, TV>(TV z) where TO : struct, IVectorOps<TV> where TV : struct => VectorMath.Tanh<TO, TV>(z);
    }

    private readonly struct ReluFunction : IActivationFunction                       // max(z, 0), NaN kept
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Apply<TO, TV>(TV z) where TO : struct, IVectorOps<TV> where TV : struct
        {
            TO o = default;
            TV zero = o.Create(0f);
            return o.Select(o.LessThan(z, zero), zero, z);
        }
    }

    private readonly struct LeakyReluFunction : IActivationFunction                  // max(z, αz) as 0 ≤ α < 1
    {
        private readonly float _alpha;

        public LeakyReluFunction(float alpha) => _alpha = alpha;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Apply<TO, TV>(TV z) where TO : struct, IVectorOps<TV> where TV : struct
        {
            TO o = default;
            return o.Select(o.LessThan(z, o.Create(0f)), o.Multiply(z, o.Create(_alpha)), z);
        }
    }

    private readonly struct SoftplusFunction : IActivationFunction
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Apply<TO, TV>(TV z) where TO : struct, IVectorOps<TV> where TV : struct => VectorMath.Softplus<TO, TV>(z);
    }

    private readonly struct EluFunction : IActivationFunction
    {
        private readonly float _alpha;

        public EluFunction(float alpha) => _alpha = alpha;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Apply<TO, TV>(TV z) where TO : struct, IVectorOps<TV> where TV : struct => VectorMath.Elu<TO, TV>(z, default(TO).Create(_alpha));
    }

    private readonly struct SigmoidDerivative : IActivationDerivative                // f′ = f(1 − f)
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Apply<TO, TV>(TV dy, TV z, TV y) where TO : struct, IVectorOps<TV> where TV : struct
        {
            TO o = default;
            return o.Multiply(o.Multiply(dy, y), o.Subtract(o.Create(1f), y));
        }
    }

    private readonly struct TanhDerivative : IActivationDerivative                   // f′ = 1 − f²
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Apply<TO, TV>(TV dy, TV z, TV y) where TO : struct, IVectorOps<TV> where TV : struct
        {
            TO o = default;
            return o.Multiply(dy, o.Subtract(o.Create(1f), o.Multiply(y, y)));
        }
    }

    private readonly struct ReluDerivative : IActivationDerivative                   // f′ = 1 for z > 0, else 0
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Apply<TO, TV>(TV dy, TV z, TV y) where TO : struct, IVectorOps<TV> where TV : struct
        {
            TO o = default;
            TV zero = o.Create(0f);
            return o.Select(o.GreaterThan(z, zero), dy, zero);
        }
    }

    private readonly struct LeakyReluDerivative : IActivationDerivative              // f′ = 1 for z ≥ 0, else α
    {
        private readonly float _alpha;

        public LeakyReluDerivative(float alpha) => _alpha = alpha;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Apply<TO, TV>(TV dy, TV z, TV y) where TO : struct, IVectorOps<TV> where TV : struct
        {
            TO o = default;
            return o.Select(o.GreaterThanOrEqual(z, o.Create(0f)), dy, o.Multiply(o.Create(_alpha), dy));
        }
    }

    private readonly struct EluDerivative : IActivationDerivative                    // f′ = 1 for z > 0, else αeᶻ = f + α
    {
        private readonly float _alpha;

        public EluDerivative(float alpha) => _alpha = alpha;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Apply<TO, TV>(TV dy, TV z, TV y) where TO : struct, IVectorOps<TV> where TV : struct
        {
            TO o = default;
            return o.Select(o.GreaterThan(z, o.Create(0f)), dy, o.Multiply(dy, o.Add(y, o.Create(_alpha))));
        }
    }

    private readonly struct SoftplusDerivative : IActivationDerivative               // f′ = σ(z)
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TV Apply<TO, TV>(TV dy, TV z, TV y) where TO : struct, IVectorOps<TV> where TV : struct =>
            default(TO).Multiply(dy, VectorMath.Sigmoid<TO, TV>(z));
    }
}
