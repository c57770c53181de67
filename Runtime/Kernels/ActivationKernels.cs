using System;
using System.Runtime.CompilerServices;

namespace Cortex.Kernels;

/// <summary>
/// Float kernels for the activation table (each activation's forward and derivative are one struct in
/// <see cref="ActivationFunctions"/>; <see cref="ActivationKernelsNaive"/> is their reference), with the bias add
/// fused into the same pass on the way forward. Span in, span out;
/// nothing allocates.
/// </summary>
/// <remarks>
/// One pass per row: load z, add the bias, store z, apply f, store y, in the widest registers the machine
/// has (AVX-512, AVX2 + FMA, System.Numerics.Vector, or scalar), then narrower ones for the rest of the
/// row (one <see cref="SimdDispatch"/> picks them). Sigmoid, tanh, softplus, ELU and softmax use the vectorised functions of <c>VectorMath</c>
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
            var forward = new ForwardVisitor(isa, pv, null, bias.IsEmpty ? null : pb, rows, columns);
            ActivationFunctions.Visit(activation, ref forward);
        }
    }

    /// <summary><see cref="BiasActivationForward"/> on a chosen instruction set (validated by the caller; tests run every one).</summary>
    [MethodImpl(JitHints.HotLoop)]
    internal static unsafe void ForwardOn(GemmIsa isa, Span<float> y, Span<float> z, ReadOnlySpan<float> bias, Activation activation, int rows, int columns)
    {
        if (!GemmIsas.IsSupported(isa)) throw new ArgumentOutOfRangeException(nameof(isa), isa, "This instruction set is not available here.");
        if (rows == 0 || columns == 0) return;
        if (activation.Kind == ActivationKind.Linear && bias.IsEmpty)
        {
            if (!y.Overlaps(z)) z.Slice(0, rows * columns).CopyTo(y);             // f(z) = z: nothing to compute
            return;
        }
        fixed (float* py = y)
        fixed (float* pz = z)
        fixed (float* pb = bias)
        {
            var forward = new ForwardVisitor(isa, py, pz, bias.IsEmpty ? null : pb, rows, columns);
            ActivationFunctions.Visit(activation, ref forward);
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
        switch (activation.Kind)                                               // derivatives that need no arithmetic
        {
            case ActivationKind.Linear:                                        // f′ = 1
                if (!dZ.Overlaps(dY)) dY.Slice(0, n).CopyTo(dZ);
                return;
            case ActivationKind.BinaryStep:                                    // f′ = 0
                dZ.Slice(0, n).Clear();
                return;
        }
        fixed (float* pdz = dZ)
        fixed (float* pdy = dY)
        fixed (float* pz = z)
        fixed (float* py = y)
        {
            var backward = new BackwardVisitor(isa, pdz, pdy, pz, py, rows, columns);
            ActivationFunctions.Visit(activation, ref backward);
        }
    }

    // Runs the forward pass of the visited activation on the chosen instruction set; z null means in place.
    private readonly unsafe struct ForwardVisitor : ActivationFunctions.IVisitor
    {
        private readonly GemmIsa _isa;
        private readonly float* _y, _z, _bias;
        private readonly int _rows, _columns;

        public ForwardVisitor(GemmIsa isa, float* y, float* z, float* bias, int rows, int columns)
        {
            _isa = isa;
            _y = y;
            _z = z;
            _bias = bias;
            _rows = rows;
            _columns = columns;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Elementwise<TF>(TF f) where TF : struct, ActivationFunctions.IElementwise
        {
            var kernel = new RowsKernel<TF>(_y, _z, _bias, _rows, _columns, f);
            SimdDispatch.Run(_isa, ref kernel);
        }

        public void Softmax()
        {
            if (_bias is not null)
            {
                var bias = new RowsKernel<ActivationFunctions.Linear>(_z, _z, _bias, _rows, _columns, default);
                SimdDispatch.Run(_isa, ref bias);
            }
            var kernel = new SoftmaxKernel(_y, _z, null, _rows, _columns, backward: false);
            SimdDispatch.Run(_isa, ref kernel);
        }
    }

    private readonly unsafe struct BackwardVisitor : ActivationFunctions.IVisitor
    {
        private readonly GemmIsa _isa;
        private readonly float* _dZ, _dY, _z, _y;
        private readonly int _rows, _columns;

        public BackwardVisitor(GemmIsa isa, float* dZ, float* dY, float* z, float* y, int rows, int columns)
        {
            _isa = isa;
            _dZ = dZ;
            _dY = dY;
            _z = z;
            _y = y;
            _rows = rows;
            _columns = columns;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Elementwise<TF>(TF f) where TF : struct, ActivationFunctions.IElementwise
        {
            var kernel = new ElementsKernel<TF>(_dZ, _dY, _z, _y, _rows * _columns, f);
            SimdDispatch.Run(_isa, ref kernel);
        }

        public void Softmax()
        {
            var kernel = new SoftmaxKernel(_dZ, _dY, _y, _rows, _columns, backward: true);
            SimdDispatch.Run(_isa, ref kernel);
        }
    }

    // z += bias (when given), y = f(z), row by row: widest registers first, then narrower ones with the same kind
    // of multiply-add, then scalar, so every element sees the same operations. z null: in place on y.
    private readonly unsafe struct RowsKernel<TF> : ISimdKernel where TF : struct, ActivationFunctions.IElementwise
    {
        private readonly float* _y, _z, _bias;
        private readonly int _rows, _columns;
        private readonly TF _f;

        public RowsKernel(float* y, float* z, float* bias, int rows, int columns, TF f)
        {
            _y = y;
            _z = z;
            _bias = bias;
            _rows = rows;
            _columns = columns;
            _f = f;
        }

        [MethodImpl(JitHints.KernelRoot)]
        public void Run<TO, TV, TN, TW, TS>()
            where TO : struct, ISimdOps<TV> where TV : struct
            where TN : struct, ISimdOps<TW> where TW : struct
            where TS : struct, ISimdOps<float>
        {
            float* y = _y, z = _z is null ? _y : _z, bias = _bias;
            int rows = _rows, columns = _columns;
            TF f = _f;
            if (bias is null)
            {
                RunSpan<TO, TV, TN, TW, TS>(y, z, null, rows * columns, f);      // no bias: the rows are one flat span
                return;
            }
            for (int r = 0; r < rows; r++)
            {
                nint at = (nint)r * columns;
                RunSpan<TO, TV, TN, TW, TS>(y + at, z + at, bias, columns, f);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void RunSpan<TO, TV, TN, TW, TS>(float* y, float* z, float* bias, int n, TF f)
            where TO : struct, ISimdOps<TV> where TV : struct
            where TN : struct, ISimdOps<TW> where TW : struct
            where TS : struct, ISimdOps<float>
        {
            int j = Apply<TO, TV>(y, z, bias, 0, n, f);
            if (typeof(TN) != typeof(TO)) j = Apply<TN, TW>(y, z, bias, j, n, f);
            Apply<TS, float>(y, z, bias, j, n, f);
        }

        // z[j..] += bias[j..] (when given), y[j..] = f(z[j..]) for every whole register from j; returns where it stopped.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int Apply<TO, TV>(float* y, float* z, float* bias, int j, int n, TF f) where TO : struct, ISimdOps<TV> where TV : struct
        {
            TO o = default;
            int w = o.Count;
            if (bias is null)
            {
                for (; j <= n - w; j += w) o.Store(y + j, f.Forward<TO, TV>(o.Load(z + j)));
                return j;
            }
            if (y == z)
            {
                for (; j <= n - w; j += w) o.Store(y + j, f.Forward<TO, TV>(o.Add(o.Load(z + j), o.Load(bias + j))));
                return j;
            }
            for (; j <= n - w; j += w)
            {
                TV v = o.Add(o.Load(z + j), o.Load(bias + j));
                o.Store(z + j, v);
                o.Store(y + j, f.Forward<TO, TV>(v));
            }
            return j;
        }
    }

    // dZ = f′(z)·dY over n elements, the same register order as RowsKernel.
    private readonly unsafe struct ElementsKernel<TF> : ISimdKernel where TF : struct, ActivationFunctions.IElementwise
    {
        private readonly float* _dZ, _dY, _z, _y;
        private readonly int _n;
        private readonly TF _f;

        public ElementsKernel(float* dZ, float* dY, float* z, float* y, int n, TF f)
        {
            _dZ = dZ;
            _dY = dY;
            _z = z;
            _y = y;
            _n = n;
            _f = f;
        }

        [MethodImpl(JitHints.KernelRoot)]
        public void Run<TO, TV, TN, TW, TS>()
            where TO : struct, ISimdOps<TV> where TV : struct
            where TN : struct, ISimdOps<TW> where TW : struct
            where TS : struct, ISimdOps<float>
        {
            float* dZ = _dZ, dY = _dY, z = _z, y = _y;
            int n = _n;
            TF f = _f;
            int j = Derive<TO, TV>(dZ, dY, z, y, 0, n, f);
            if (typeof(TN) != typeof(TO)) j = Derive<TN, TW>(dZ, dY, z, y, j, n, f);
            Derive<TS, float>(dZ, dY, z, y, j, n, f);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int Derive<TO, TV>(float* dZ, float* dY, float* z, float* y, int j, int n, TF f) where TO : struct, ISimdOps<TV> where TV : struct
        {
            TO o = default;
            int w = o.Count;
            for (; j <= n - w; j += w) o.Store(dZ + j, f.Backward<TO, TV>(o.Load(dY + j), o.Load(z + j), o.Load(y + j)));
            return j;
        }
    }

    // Softmax row by row: forward y = softmax(z) (a, b = y, z), or backward dZ from dY and y (a, b, c = dZ, dY, y).
    private readonly unsafe struct SoftmaxKernel : ISimdKernel
    {
        private readonly float* _a, _b, _c;
        private readonly int _rows, _columns;
        private readonly bool _backward;

        public SoftmaxKernel(float* a, float* b, float* c, int rows, int columns, bool backward)
        {
            _a = a;
            _b = b;
            _c = c;
            _rows = rows;
            _columns = columns;
            _backward = backward;
        }

        public void Run<TO, TV, TN, TW, TS>()
            where TO : struct, ISimdOps<TV> where TV : struct
            where TN : struct, ISimdOps<TW> where TW : struct
            where TS : struct, ISimdOps<float>
        {
            int columns = _columns;
            for (int r = 0; r < _rows; r++)
            {
                nint at = (nint)r * columns;
                if (_backward) ActivationFunctions.Softmax.BackwardRow<TO, TV>(_a + at, _b + at, _c + at, columns);
                else ActivationFunctions.Softmax.ForwardRow<TO, TV, TN, TW, TS>(_a + at, _b + at, columns);
            }
        }
    }
}
