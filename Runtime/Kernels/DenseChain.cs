using System;
using System.Runtime.CompilerServices;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
#endif

namespace Cortex.Kernels;

/// <summary>
/// Inference through a whole stack of small dense layers in one pass over a block of rows, the host's counterpart of a
/// device's fused forward kernel: rows are the vector lanes. A strip of rows is transposed once into feature-major
/// order (xᵀ, features × strip), every layer computes zᵀ = W·xᵀ with each weight broadcast against whole registers of
/// rows, adds the bias and applies f to each tile while it is still in registers, and hands the strip to the next
/// layer while it is still in L1; the last layer's strip is transposed into the output rows. Nothing is packed: W is
/// read as it lies in the parameter array.
/// </summary>
/// <remarks>
/// Every element is computed with the operations of the layer-by-layer pass on the same rows (<see cref="Gemm"/> then
/// <see cref="ActivationKernels"/>): one multiply-add chain over the inputs in order starting from zero, then the bias,
/// then f lane by lane. <see cref="Prefers"/> admits a block only where that pass would take the blocked GEMM for every
/// layer in a single depth slice (not the direct dot products of small shapes), so the outputs are bitwise the same as
/// the layer-by-layer pass, and as independent of the thread count.
/// </remarks>
internal static unsafe class DenseChain
{
    /// <summary>Widest layer (inputs or outputs) a chain takes: two strips of this many features fit the per-thread scratch.</summary>
    public const int MaxWidth = 256;

    /// <summary>Registers of rows per strip: a tile holds four registers of rows by up to four outputs.</summary>
    private const int StripRegisters = 4;

#if NET8_0_OR_GREATER
    [ThreadStatic] private static float[]? _scratch;
#endif

    /// <summary>Whether a block of <paramref name="rows"/> rows through <paramref name="layers"/> runs here on <paramref name="isa"/> (bitwise the layer-by-layer pass).</summary>
    /// <param name="isa">The instruction set.</param>
    /// <param name="layers">The layers, first to last.</param>
    /// <param name="rows">Rows in the block.</param>
    public static bool Prefers(GemmIsa isa, ReadOnlySpan<DenseChainLayer> layers, int rows)
    {
#if NET8_0_OR_GREATER
        if (rows <= GemmDirect.MaxRows || isa is not (GemmIsa.Avx512 or GemmIsa.Avx2) || !GemmIsas.IsSupported(isa) || layers.IsEmpty) return false;
        int depth = GemmIsas.TileDepth(isa);
        foreach (DenseChainLayer l in layers)
        {
            if (l.Inputs > Math.Min(depth, MaxWidth) || l.Outputs > MaxWidth || l.Activation.Kind == ActivationKind.Softmax) return false;
            if (GemmDirect.Prefers(rows, l.Outputs, l.Inputs, transposeA: false, transposeB: true)) return false;
        }
        return true;
#else
        return false;
#endif
    }

    /// <summary>y (rows, last Outputs) = the chain applied to x (rows, first Inputs). The caller has checked <see cref="Prefers"/> and the shapes.</summary>
    /// <param name="isa">The instruction set.</param>
    /// <param name="y">Output rows.</param>
    /// <param name="x">Input rows.</param>
    /// <param name="rows">Rows.</param>
    /// <param name="parameters">The array every layer's W and b lie in.</param>
    /// <param name="layers">The layers, first to last.</param>
    [MethodImpl(JitHints.HotLoop)]
    public static void Run(GemmIsa isa, Span<float> y, ReadOnlySpan<float> x, int rows, ReadOnlySpan<float> parameters, ReadOnlySpan<DenseChainLayer> layers)
    {
#if NET8_0_OR_GREATER
        fixed (float* py = y)
        fixed (float* px = x)
        fixed (float* pp = parameters)
        {
            if (isa == GemmIsa.Avx512) Run<Simd512, Vector512<float>>(isa, py, px, rows, pp, layers);
            else Run<Simd256, Vector256<float>>(isa, py, px, rows, pp, layers);
        }
#else
        throw new PlatformNotSupportedException("The dense chain needs AVX2 or AVX-512.");
#endif
    }

#if NET8_0_OR_GREATER
    [MethodImpl(JitHints.HotLoop)]
    private static void Run<TS, TV>(GemmIsa isa, float* y, float* x, int rows, float* parameters, ReadOnlySpan<DenseChainLayer> layers)
        where TS : struct, ISimdOps<TV> where TV : struct
    {
        TS s = default;
        int strip = StripRegisters * s.Count;
        int inputs = layers[0].Inputs, outputs = layers[layers.Length - 1].Outputs;
        int length = 2 * MaxWidth * strip + 16;
        float[] scratch = _scratch is { } own && own.Length >= length ? own : (_scratch = new float[length]);
        fixed (float* raw = scratch)
        {
            float* first = (float*)(((nint)raw + 63) & ~(nint)63), second = first + MaxWidth * strip;
            for (int r0 = 0; r0 < rows; r0 += strip)
            {
                int height = Math.Min(strip, rows - r0);
                float* src = first, dst = second;
                TransposeIn(src, strip, x + (nint)r0 * inputs, inputs, height);                 // xᵀ (inputs, strip)
                foreach (DenseChainLayer l in layers)
                {
                    var layer = new LayerVisitor<TS, TV>(isa, dst, src, strip, parameters + l.WeightOffset, parameters + l.BiasOffset, l.Inputs, l.Outputs);
                    ActivationFunctions.Visit(l.Activation, ref layer);
                    float* done = dst;
                    dst = src;
                    src = done;
                }
                TransposeOut(y + (nint)r0 * outputs, outputs, src, strip, height);               // y rows from zᵀ (outputs, strip)
            }
        }
    }

    // One layer with its activation's struct in hand (Prefers has ruled softmax out).
    private readonly struct LayerVisitor<TS, TV> : ActivationFunctions.IVisitor where TS : struct, ISimdOps<TV> where TV : struct
    {
        private readonly GemmIsa _isa;
        private readonly float* _z, _x, _w, _b;
        private readonly int _strip, _inputs, _outputs;

        public LayerVisitor(GemmIsa isa, float* z, float* x, int strip, float* w, float* b, int inputs, int outputs)
        {
            _isa = isa;
            _z = z;
            _x = x;
            _strip = strip;
            _w = w;
            _b = b;
            _inputs = inputs;
            _outputs = outputs;
        }

        public void Elementwise<TF>(TF f) where TF : struct, ActivationFunctions.IElementwise =>
            Layer<TS, TV, TF>(_isa, _z, _x, _strip, _w, _b, _inputs, _outputs, f);

        public void Softmax() => throw new InvalidOperationException("A dense chain does not take softmax layers.");
    }

    // zᵀ (outputs, strip) = f(W (outputs, inputs) · xᵀ (inputs, strip) + b): four outputs at a time (two on 256-bit
    // registers, whose 16 registers cannot hold sixteen accumulators), then one. f is applied to each tile in registers,
    // so no second pass reads the strip back.
    [MethodImpl(JitHints.HotLoop)]
    private static void Layer<TS, TV, TF>(GemmIsa isa, float* z, float* x, int strip, float* w, float* b, int inputs, int outputs, TF f)
        where TS : struct, ISimdOps<TV> where TV : struct where TF : struct, ActivationFunctions.IElementwise
    {
        int j = 0;
        if (isa == GemmIsa.Avx512)
            for (; j + 4 <= outputs; j += 4) Tile4<TS, TV, TF>(z + (nint)j * strip, x, strip, w + (nint)j * inputs, b + j, inputs, f);
        for (; j + 2 <= outputs; j += 2) Tile2<TS, TV, TF>(z + (nint)j * strip, x, strip, w + (nint)j * inputs, b + j, inputs, f);
        if (j < outputs) Tile1<TS, TV, TF>(z + (nint)j * strip, x, strip, w + (nint)j * inputs, b + j, inputs, f);
    }

    // Four registers of rows by four outputs: sixteen accumulators, eight loads per sixteen multiply-adds.
    [MethodImpl(JitHints.HotLoop)]
    private static void Tile4<TS, TV, TF>(float* z, float* x, int strip, float* w, float* b, int k, TF f)
        where TS : struct, ISimdOps<TV> where TV : struct where TF : struct, ActivationFunctions.IElementwise
    {
        TS s = default;
        int n = s.Count;
        float* w0 = w, w1 = w + k, w2 = w1 + k, w3 = w2 + k;
        TV c00 = s.Zero, c01 = s.Zero, c02 = s.Zero, c03 = s.Zero;
        TV c10 = s.Zero, c11 = s.Zero, c12 = s.Zero, c13 = s.Zero;
        TV c20 = s.Zero, c21 = s.Zero, c22 = s.Zero, c23 = s.Zero;
        TV c30 = s.Zero, c31 = s.Zero, c32 = s.Zero, c33 = s.Zero;
        for (int p = 0; p < k; p++, x += strip)
        {
            TV x0 = s.Load(x), x1 = s.Load(x + n), x2 = s.Load(x + 2 * n), x3 = s.Load(x + 3 * n);
            TV a = s.Broadcast(w0 + p);
            c00 = s.MultiplyAdd(a, x0, c00); c01 = s.MultiplyAdd(a, x1, c01); c02 = s.MultiplyAdd(a, x2, c02); c03 = s.MultiplyAdd(a, x3, c03);
            a = s.Broadcast(w1 + p);
            c10 = s.MultiplyAdd(a, x0, c10); c11 = s.MultiplyAdd(a, x1, c11); c12 = s.MultiplyAdd(a, x2, c12); c13 = s.MultiplyAdd(a, x3, c13);
            a = s.Broadcast(w2 + p);
            c20 = s.MultiplyAdd(a, x0, c20); c21 = s.MultiplyAdd(a, x1, c21); c22 = s.MultiplyAdd(a, x2, c22); c23 = s.MultiplyAdd(a, x3, c23);
            a = s.Broadcast(w3 + p);
            c30 = s.MultiplyAdd(a, x0, c30); c31 = s.MultiplyAdd(a, x1, c31); c32 = s.MultiplyAdd(a, x2, c32); c33 = s.MultiplyAdd(a, x3, c33);
        }
        Put<TS, TV, TF>(z, n, s.Broadcast(b), c00, c01, c02, c03, f);
        Put<TS, TV, TF>(z + strip, n, s.Broadcast(b + 1), c10, c11, c12, c13, f);
        Put<TS, TV, TF>(z + 2 * strip, n, s.Broadcast(b + 2), c20, c21, c22, c23, f);
        Put<TS, TV, TF>(z + 3 * strip, n, s.Broadcast(b + 3), c30, c31, c32, c33, f);
    }

    // Four registers of rows by two outputs.
    [MethodImpl(JitHints.HotLoop)]
    private static void Tile2<TS, TV, TF>(float* z, float* x, int strip, float* w, float* b, int k, TF f)
        where TS : struct, ISimdOps<TV> where TV : struct where TF : struct, ActivationFunctions.IElementwise
    {
        TS s = default;
        int n = s.Count;
        float* w0 = w, w1 = w + k;
        TV c00 = s.Zero, c01 = s.Zero, c02 = s.Zero, c03 = s.Zero;
        TV c10 = s.Zero, c11 = s.Zero, c12 = s.Zero, c13 = s.Zero;
        for (int p = 0; p < k; p++, x += strip)
        {
            TV x0 = s.Load(x), x1 = s.Load(x + n), x2 = s.Load(x + 2 * n), x3 = s.Load(x + 3 * n);
            TV a = s.Broadcast(w0 + p);
            c00 = s.MultiplyAdd(a, x0, c00); c01 = s.MultiplyAdd(a, x1, c01); c02 = s.MultiplyAdd(a, x2, c02); c03 = s.MultiplyAdd(a, x3, c03);
            a = s.Broadcast(w1 + p);
            c10 = s.MultiplyAdd(a, x0, c10); c11 = s.MultiplyAdd(a, x1, c11); c12 = s.MultiplyAdd(a, x2, c12); c13 = s.MultiplyAdd(a, x3, c13);
        }
        Put<TS, TV, TF>(z, n, s.Broadcast(b), c00, c01, c02, c03, f);
        Put<TS, TV, TF>(z + strip, n, s.Broadcast(b + 1), c10, c11, c12, c13, f);
    }

    // Four registers of rows by one output.
    [MethodImpl(JitHints.HotLoop)]
    private static void Tile1<TS, TV, TF>(float* z, float* x, int strip, float* w, float* b, int k, TF f)
        where TS : struct, ISimdOps<TV> where TV : struct where TF : struct, ActivationFunctions.IElementwise
    {
        TS s = default;
        int n = s.Count;
        TV c00 = s.Zero, c01 = s.Zero, c02 = s.Zero, c03 = s.Zero;
        for (int p = 0; p < k; p++, x += strip)
        {
            TV a = s.Broadcast(w + p);
            c00 = s.MultiplyAdd(a, s.Load(x), c00); c01 = s.MultiplyAdd(a, s.Load(x + n), c01);
            c02 = s.MultiplyAdd(a, s.Load(x + 2 * n), c02); c03 = s.MultiplyAdd(a, s.Load(x + 3 * n), c03);
        }
        Put<TS, TV, TF>(z, n, s.Broadcast(b), c00, c01, c02, c03, f);
    }

    // One output's row of f(zᵀ): the products summed on their own, then the bias added, then f (the order of the GEMM,
    // then the bias-and-activation pass, which applies f to the same registers of values).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put<TS, TV, TF>(float* z, int n, TV bias, TV c0, TV c1, TV c2, TV c3, TF f)
        where TS : struct, ISimdOps<TV> where TV : struct where TF : struct, ActivationFunctions.IElementwise
    {
        TS s = default;
        s.Store(z, f.Forward<TS, TV>(s.Add(c0, bias)));
        s.Store(z + n, f.Forward<TS, TV>(s.Add(c1, bias)));
        s.Store(z + 2 * n, f.Forward<TS, TV>(s.Add(c2, bias)));
        s.Store(z + 3 * n, f.Forward<TS, TV>(s.Add(c3, bias)));
    }

    // t (width, strip) = the first `height` rows of x (rows of `width`) transposed; lanes past them are zero.
    private static void TransposeIn(float* t, int strip, float* x, int width, int height)
    {
        Transpose8.Matrix(t, strip, x, width, width, height, add: false);
        if (height < strip)
            for (int c = 0; c < width; c++) new Span<float>(t + (nint)c * strip + height, strip - height).Clear();
    }

    // The first `height` rows of y (rows of `width`) = t (width, strip) transposed.
    private static void TransposeOut(float* y, int width, float* t, int strip, int height) =>
        Transpose8.Matrix(y, width, t, strip, height, width, add: false);
#endif
}
