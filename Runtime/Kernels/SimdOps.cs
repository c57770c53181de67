using System.Numerics;
using System.Runtime.CompilerServices;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
#endif

namespace Cortex.Kernels;

/// <summary>
/// The handful of vector operations the GEMM kernels are written against. Each implementation is a
/// struct, so a generic kernel instantiated with it is specialised and inlined by the JIT: one source,
/// one machine-code copy per instruction set.
/// </summary>
/// <typeparam name="TV">The register type: a vector of floats, or float itself.</typeparam>
internal unsafe interface ISimd<TV> where TV : struct
{
    /// <summary>Floats per register.</summary>
    int Count { get; }

    /// <summary>All lanes zero.</summary>
    TV Zero { get; }

    /// <summary>Loads <see cref="Count"/> floats from p (no alignment needed).</summary>
    TV Load(float* p);

    /// <summary>Stores <see cref="Count"/> floats to p.</summary>
    void Store(float* p, TV v);

    /// <summary>Every lane = *p.</summary>
    TV Broadcast(float* p);

    /// <summary>a * b + c (fused where the instruction set has it).</summary>
    TV MultiplyAdd(TV a, TV b, TV c);

    /// <summary>a + b.</summary>
    TV Add(TV a, TV b);

    /// <summary>Sum of all lanes.</summary>
    float Sum(TV v);

    /// <summary>Writes the lane sums of a, b, c, d to dst[0..3] (one reduction tree for all four where possible).</summary>
    void Sum4(TV a, TV b, TV c, TV d, float* dst);

    /// <summary>Hints that the cache line holding p is about to be read (no-op where unsupported).</summary>
    void Prefetch(float* p);
}

#if NET8_0_OR_GREATER
/// <summary>AVX-512F: 16 floats a register, 32 registers.</summary>
internal readonly unsafe struct Simd512 : ISimd<Vector512<float>>
{
    public int Count => Vector512<float>.Count;
    public Vector512<float> Zero => Vector512<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<float> Load(float* p) => Vector512.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(float* p, Vector512<float> v) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<float> Broadcast(float* p) => Vector512.Create(*p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Avx512F.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Sum(Vector512<float> v) => Vector256.Sum(v.GetLower() + v.GetUpper());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Prefetch(float* p) => Sse.Prefetch0(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Sum4(Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d, float* dst) =>
        default(Simd256).Sum4(a.GetLower() + a.GetUpper(), b.GetLower() + b.GetUpper(), c.GetLower() + c.GetUpper(), d.GetLower() + d.GetUpper(), dst);
}

/// <summary>AVX2 + FMA3: 8 floats a register, 16 registers.</summary>
internal readonly unsafe struct Simd256 : ISimd<Vector256<float>>
{
    public int Count => Vector256<float>.Count;
    public Vector256<float> Zero => Vector256<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<float> Load(float* p) => Vector256.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(float* p, Vector256<float> v) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<float> Broadcast(float* p) => Vector256.Create(*p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Fma.MultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Sum(Vector256<float> v) => Vector128.Sum(v.GetLower() + v.GetUpper());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Prefetch(float* p) => Sse.Prefetch0(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Sum4(Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d, float* dst)
    {
        // hadd(hadd(a, b), hadd(c, d)) holds [Σa, Σb, Σc, Σd] split over the two 128-bit halves.
        Vector256<float> h = Avx.HorizontalAdd(Avx.HorizontalAdd(a, b), Avx.HorizontalAdd(c, d));
        (h.GetLower() + h.GetUpper()).Store(dst);
    }
}
#endif

/// <summary>System.Numerics.Vector: whatever width the runtime picked; separate multiply and add.</summary>
internal readonly unsafe struct SimdVector : ISimd<Vector<float>>
{
    public int Count => Vector<float>.Count;
    public Vector<float> Zero => Vector<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> Load(float* p) => Unsafe.ReadUnaligned<Vector<float>>(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(float* p, Vector<float> v) => Unsafe.WriteUnaligned(p, v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> Broadcast(float* p) => new(*p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> MultiplyAdd(Vector<float> a, Vector<float> b, Vector<float> c) => a * b + c;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> Add(Vector<float> a, Vector<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Sum(Vector<float> v) => Vector.Dot(v, Vector<float>.One);
    public void Prefetch(float* p) { }

    public void Sum4(Vector<float> a, Vector<float> b, Vector<float> c, Vector<float> d, float* dst)
    {
        dst[0] = Sum(a);
        dst[1] = Sum(b);
        dst[2] = Sum(c);
        dst[3] = Sum(d);
    }
}

/// <summary>Plain floats: the path when no vector hardware is available (or intrinsics are switched off).</summary>
internal readonly unsafe struct SimdScalar : ISimd<float>
{
    public int Count => 1;
    public float Zero => 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Load(float* p) => *p;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(float* p, float v) => *p = v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Broadcast(float* p) => *p;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float MultiplyAdd(float a, float b, float c) => a * b + c;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Add(float a, float b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Sum(float v) => v;
    public void Prefetch(float* p) { }

    public void Sum4(float a, float b, float c, float d, float* dst)
    {
        dst[0] = a;
        dst[1] = b;
        dst[2] = c;
        dst[3] = d;
    }
}
