using System;
using System.Numerics;
using System.Runtime.CompilerServices;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
#endif

namespace Cortex.Kernels;

/// <summary>
/// Lane-wise float operations the element-wise kernels are written against, one struct per instruction
/// set (as <see cref="ISimd{TV}"/> is for the GEMM): a generic kernel instantiated with a struct is
/// specialised by the JIT. Every operation is lane-wise, so an element's result does not depend on the
/// register width it went through, only on whether multiply-add is fused.
/// </summary>
/// <typeparam name="TV">The register type: a vector of floats, or float itself.</typeparam>
internal unsafe interface IVectorOps<TV> where TV : struct
{
    /// <summary>Floats per register.</summary>
    int Count { get; }

    /// <summary>Loads <see cref="Count"/> floats (no alignment needed).</summary>
    TV Load(float* p);

    /// <summary>Stores <see cref="Count"/> floats.</summary>
    void Store(float* p, TV v);

    /// <summary>Every lane = <paramref name="value"/>.</summary>
    TV Create(float value);

    /// <summary>a + b.</summary>
    TV Add(TV a, TV b);

    /// <summary>a − b.</summary>
    TV Subtract(TV a, TV b);

    /// <summary>a · b.</summary>
    TV Multiply(TV a, TV b);

    /// <summary>a / b, correctly rounded.</summary>
    TV Divide(TV a, TV b);

    /// <summary>a · b + c, fused where the instruction set has it.</summary>
    TV MultiplyAdd(TV a, TV b, TV c);

    /// <summary>The larger of a and b (either one when one is NaN: callers mask NaN lanes themselves).</summary>
    TV Max(TV a, TV b);

    /// <summary>The smaller of a and b (either one when one is NaN).</summary>
    TV Min(TV a, TV b);

    /// <summary>min(max(x, lo), hi), with NaN lanes of x kept NaN.</summary>
    TV Clamp(TV x, TV lo, TV hi);

    /// <summary>|a|.</summary>
    TV Abs(TV a);

    /// <summary>Lanes of <paramref name="ifTrue"/> where <paramref name="mask"/> is all ones, else of <paramref name="ifFalse"/>.</summary>
    TV Select(TV mask, TV ifTrue, TV ifFalse);

    /// <summary>All-ones lanes where a &lt; b.</summary>
    TV LessThan(TV a, TV b);

    /// <summary>All-ones lanes where a &gt; b.</summary>
    TV GreaterThan(TV a, TV b);

    /// <summary>All-ones lanes where a ≥ b.</summary>
    TV GreaterThanOrEqual(TV a, TV b);

    /// <summary>All-ones lanes where a is not NaN.</summary>
    TV IsNumber(TV a);

    /// <summary>
    /// e · 2ⁿ for the integer n carried in the low mantissa bits of <paramref name="shifted"/> = n + 1.5·2²³
    /// (see <see cref="VectorMath.Exp{TO, TV}"/>), by adding n to e's exponent field. n must keep e·2ⁿ normal.
    /// </summary>
    TV ScaleByPowerOfTwo(TV e, TV shifted);

    /// <summary>Sum of the lanes (a fixed order per instruction set).</summary>
    float Sum(TV v);

    /// <summary>Largest lane.</summary>
    float MaxAcross(TV v);
}

/// <summary>
/// Vectorised float functions for the activations, written once over <see cref="IVectorOps{TV}"/>.
/// Accuracy against the double definitions in <see cref="Activation"/> is a few ulp (tests bound it);
/// NaN inputs give NaN outputs; ±∞ give the limits.
/// </summary>
internal static class VectorMath
{
    /// <summary>1.5 · 2²³: adding it rounds a float of magnitude below 2²² to an integer held in the low mantissa bits.</summary>
    public const float RoundingShift = 12582912f;

    /// <summary>Below this exp(x) is returned as 0 (e^−87 ≈ 1.6e−38, the edge of the normal floats).</summary>
    public const float ExpFloor = -87f;

    /// <summary>|x| beyond which tanh(x) rounds to ±1 in float.</summary>
    public const float TanhClamp = 9f;

    private const float Log2E = 1.44269504f;
    private const float Ln2High = 0.693145751953125f;    // few significant bits: n·Ln2High is exact for |n| ≤ 128
    private const float Ln2Low = 1.42860677e-6f;         // ln 2 − Ln2High

    /// <summary>
    /// eˣ for x ≤ 0 (0 below <see cref="ExpFloor"/>); NaN lanes give garbage, so callers mask them.
    /// x = n·ln 2 + r with |r| ≤ ln2/2; eʳ = 1 + r + r²·P(r) (P a degree-5 least-squares fit, ~1 ulp); then
    /// the exponent field gets n added.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Exp<TO, TV>(TV x) where TO : struct, IVectorOps<TV> where TV : struct
    {
        TO o = default;
        TV floor = o.Create(ExpFloor);
        TV xc = o.Max(x, floor);
        TV shifted = o.MultiplyAdd(xc, o.Create(Log2E), o.Create(RoundingShift));
        TV n = o.Subtract(shifted, o.Create(RoundingShift));
        TV r = o.MultiplyAdd(n, o.Create(-Ln2High), xc);
        r = o.MultiplyAdd(n, o.Create(-Ln2Low), r);
        TV p = o.Create(1.989927550e-04f);
        p = o.MultiplyAdd(p, r, o.Create(1.393364044e-03f));
        p = o.MultiplyAdd(p, r, o.Create(8.333298378e-03f));
        p = o.MultiplyAdd(p, r, o.Create(4.166646674e-02f));
        p = o.MultiplyAdd(p, r, o.Create(1.666666716e-01f));
        p = o.MultiplyAdd(p, r, o.Create(0.5f));
        TV e = o.Add(o.MultiplyAdd(o.Multiply(r, r), p, r), o.Create(1f));
        e = o.ScaleByPowerOfTwo(e, shifted);
        return o.Select(o.LessThan(x, floor), o.Create(0f), e);
    }

    /// <summary>
    /// tanh x = x·P(x²)/Q(x²) on |x| ≤ 9 (a rational least-squares fit, degrees 11/6: within 6 ulp, 3.6e−7 absolute), ±1 beyond
    /// (tanh 9 rounds to 1 in float), and never beyond ±1 (so 1 − tanh² stays ≥ 0). NaN stays NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Tanh<TO, TV>(TV x) where TO : struct, IVectorOps<TV> where TV : struct
    {
        TO o = default;
        x = o.Clamp(x, o.Create(-TanhClamp), o.Create(TanhClamp));
        TV s = o.Multiply(x, x);
        TV p = o.Create(1.841329866e-11f);
        p = o.MultiplyAdd(p, s, o.Create(-1.285413376e-08f));
        p = o.MultiplyAdd(p, s, o.Create(9.296165445e-06f));
        p = o.MultiplyAdd(p, s, o.Create(2.924280707e-03f));
        p = o.MultiplyAdd(p, s, o.Create(1.292265952e-01f));
        p = o.MultiplyAdd(p, s, o.Create(1f));
        TV q = o.Create(2.285637602e-04f);
        q = o.MultiplyAdd(q, s, o.Create(2.377803624e-02f));
        q = o.MultiplyAdd(q, s, o.Create(4.625595808e-01f));
        q = o.MultiplyAdd(q, s, o.Create(1f));
        TV one = o.Create(1f);
        return o.Clamp(o.Divide(o.Multiply(x, p), q), o.Subtract(o.Create(0f), one), one);
    }

    /// <summary>Stable logistic function: e = e^−|x|, σ = 1/(1 + e) for x ≥ 0, e/(1 + e) below. NaN stays NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Sigmoid<TO, TV>(TV x) where TO : struct, IVectorOps<TV> where TV : struct
    {
        TO o = default;
        TV one = o.Create(1f);
        TV e = Exp<TO, TV>(o.Subtract(o.Create(0f), o.Abs(x)));
        TV q = o.Divide(one, o.Add(one, e));
        TV y = o.Select(o.GreaterThanOrEqual(x, o.Create(0f)), q, o.Multiply(e, q));
        return o.Select(o.IsNumber(x), y, x);
    }

    /// <summary>
    /// Stable softplus: max(x, 0) + ln(1 + e), e = e^−|x|, with ln(1 + e) = 2 atanh(s), s = e/(2 + e) ≤ 1/3,
    /// as 2s + s³·Q(s²) (Q a degree-4 fit): accurate when e is tiny. NaN stays NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Softplus<TO, TV>(TV x) where TO : struct, IVectorOps<TV> where TV : struct
    {
        TO o = default;
        TV zero = o.Create(0f), two = o.Create(2f);
        TV e = Exp<TO, TV>(o.Subtract(zero, o.Abs(x)));
        TV s = o.Divide(e, o.Add(two, e));
        TV s2 = o.Multiply(s, s);
        TV q = o.Create(2.311439663e-01f);
        q = o.MultiplyAdd(q, s2, o.Create(2.173297405e-01f));
        q = o.MultiplyAdd(q, s2, o.Create(2.859029174e-01f));
        q = o.MultiplyAdd(q, s2, o.Create(3.999976218e-01f));
        q = o.MultiplyAdd(q, s2, o.Create(6.666666865e-01f));
        TV log1p = o.MultiplyAdd(o.Multiply(s, s2), q, o.Multiply(two, s));
        TV y = o.Add(o.Max(x, zero), log1p);
        return o.Select(o.IsNumber(x), y, x);
    }

    /// <summary>eˣ of each x ≤ 0 on a chosen instruction set (tests measure its accuracy; NaN lanes are not masked).</summary>
    internal static unsafe void ExpOn(GemmIsa isa, ReadOnlySpan<float> x, Span<float> y)
    {
        if (!GemmIsas.IsSupported(isa)) throw new ArgumentOutOfRangeException(nameof(isa), isa, "This instruction set is not available here.");
        if (y.Length < x.Length) throw new ArgumentException($"y holds {y.Length} values but x holds {x.Length}.", nameof(y));
        fixed (float* px = x)
        fixed (float* py = y)
        {
            switch (isa)
            {
#if NET8_0_OR_GREATER
                case GemmIsa.Avx512: ExpSpan<Ops512, Vector512<float>, OpsScalarFused>(px, py, x.Length); break;
                case GemmIsa.Avx2: ExpSpan<Ops256, Vector256<float>, OpsScalarFused>(px, py, x.Length); break;
#endif
                case GemmIsa.Vector: ExpSpan<OpsVector, Vector<float>, OpsScalar>(px, py, x.Length); break;
                default: ExpSpan<OpsScalar, float, OpsScalar>(px, py, x.Length); break;
            }
        }
    }

    private static unsafe void ExpSpan<TO, TV, TS>(float* x, float* y, int n)
        where TO : struct, IVectorOps<TV> where TV : struct where TS : struct, IVectorOps<float>
    {
        TO o = default;
        int j = 0;
        for (; j <= n - o.Count; j += o.Count) o.Store(y + j, Exp<TO, TV>(o.Load(x + j)));
        for (; j < n; j++) y[j] = Exp<TS, float>(x[j]);
    }

    /// <summary>ELU: x for x &gt; 0, α(eˣ − 1) otherwise. NaN stays NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Elu<TO, TV>(TV x, TV alpha) where TO : struct, IVectorOps<TV> where TV : struct
    {
        TO o = default;
        TV zero = o.Create(0f);
        TV negative = o.Multiply(alpha, o.Subtract(Exp<TO, TV>(o.Min(x, zero)), o.Create(1f)));
        TV y = o.Select(o.GreaterThan(x, zero), x, negative);
        return o.Select(o.IsNumber(x), y, x);
    }
}

#if NET8_0_OR_GREATER
/// <summary>AVX-512F: 16 lanes, fused multiply-add.</summary>
internal readonly unsafe struct Ops512 : IVectorOps<Vector512<float>>
{
    public int Count => Vector512<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<float> Load(float* p) => Vector512.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(float* p, Vector512<float> v) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<float> Create(float value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<float> Divide(Vector512<float> a, Vector512<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Avx512F.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Avx512F.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<float> Min(Vector512<float> a, Vector512<float> b) => Avx512F.Min(a, b);
    // x86 max/min return their second operand when either is NaN, so x goes second both times.
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<float> Clamp(Vector512<float> x, Vector512<float> lo, Vector512<float> hi) => Avx512F.Min(hi, Avx512F.Max(lo, x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<float> Abs(Vector512<float> a) => Vector512.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<float> Select(Vector512<float> mask, Vector512<float> ifTrue, Vector512<float> ifFalse) => Vector512.ConditionalSelect(mask, ifTrue, ifFalse);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<float> LessThan(Vector512<float> a, Vector512<float> b) => Vector512.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<float> GreaterThan(Vector512<float> a, Vector512<float> b) => Vector512.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<float> GreaterThanOrEqual(Vector512<float> a, Vector512<float> b) => Vector512.GreaterThanOrEqual(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector512<float> IsNumber(Vector512<float> a) => Vector512.Equals(a, a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> ScaleByPowerOfTwo(Vector512<float> e, Vector512<float> shifted) =>
        (e.AsInt32() + ((shifted.AsInt32() - Vector512.Create(VectorMath.RoundingShift).AsInt32()) << 23)).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Sum(Vector512<float> v) => Vector256.Sum(v.GetLower() + v.GetUpper());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float MaxAcross(Vector512<float> v) => default(Ops256).MaxAcross(Avx.Max(v.GetLower(), v.GetUpper()));
}

/// <summary>AVX2 + FMA3: 8 lanes, fused multiply-add.</summary>
internal readonly unsafe struct Ops256 : IVectorOps<Vector256<float>>
{
    public int Count => Vector256<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<float> Load(float* p) => Vector256.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(float* p, Vector256<float> v) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<float> Create(float value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<float> Divide(Vector256<float> a, Vector256<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Fma.MultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Avx.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<float> Min(Vector256<float> a, Vector256<float> b) => Avx.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<float> Clamp(Vector256<float> x, Vector256<float> lo, Vector256<float> hi) => Avx.Min(hi, Avx.Max(lo, x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<float> Abs(Vector256<float> a) => Vector256.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<float> Select(Vector256<float> mask, Vector256<float> ifTrue, Vector256<float> ifFalse) => Vector256.ConditionalSelect(mask, ifTrue, ifFalse);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<float> LessThan(Vector256<float> a, Vector256<float> b) => Vector256.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<float> GreaterThan(Vector256<float> a, Vector256<float> b) => Vector256.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<float> GreaterThanOrEqual(Vector256<float> a, Vector256<float> b) => Vector256.GreaterThanOrEqual(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector256<float> IsNumber(Vector256<float> a) => Vector256.Equals(a, a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> ScaleByPowerOfTwo(Vector256<float> e, Vector256<float> shifted) =>
        (e.AsInt32() + ((shifted.AsInt32() - Vector256.Create(VectorMath.RoundingShift).AsInt32()) << 23)).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Sum(Vector256<float> v) => Vector128.Sum(v.GetLower() + v.GetUpper());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float MaxAcross(Vector256<float> v)
    {
        Vector128<float> m = Sse.Max(v.GetLower(), v.GetUpper());
        m = Sse.Max(m, Sse.Shuffle(m, m, 0b_01_00_11_10));
        m = Sse.Max(m, Sse.Shuffle(m, m, 0b_10_11_00_01));
        return m.ToScalar();
    }
}
#endif

/// <summary>System.Numerics.Vector: whatever width the runtime picked; separate multiply and add.</summary>
internal readonly unsafe struct OpsVector : IVectorOps<Vector<float>>
{
    public int Count => Vector<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> Load(float* p) => Unsafe.ReadUnaligned<Vector<float>>(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(float* p, Vector<float> v) => Unsafe.WriteUnaligned(p, v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> Create(float value) => new(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> Add(Vector<float> a, Vector<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> Subtract(Vector<float> a, Vector<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> Multiply(Vector<float> a, Vector<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> Divide(Vector<float> a, Vector<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> MultiplyAdd(Vector<float> a, Vector<float> b, Vector<float> c) => a * b + c;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> Max(Vector<float> a, Vector<float> b) => Vector.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> Min(Vector<float> a, Vector<float> b) => Vector.Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector<float> Clamp(Vector<float> x, Vector<float> lo, Vector<float> hi) => Vector.ConditionalSelect(Vector.Equals(x, x), Vector.Min(Vector.Max(x, lo), hi), x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> Abs(Vector<float> a) => Vector.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> Select(Vector<float> mask, Vector<float> ifTrue, Vector<float> ifFalse) => Vector.ConditionalSelect(mask, ifTrue, ifFalse);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> LessThan(Vector<float> a, Vector<float> b) => Vector.AsVectorSingle(Vector.LessThan(a, b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> GreaterThan(Vector<float> a, Vector<float> b) => Vector.AsVectorSingle(Vector.GreaterThan(a, b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> GreaterThanOrEqual(Vector<float> a, Vector<float> b) => Vector.AsVectorSingle(Vector.GreaterThanOrEqual(a, b));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public Vector<float> IsNumber(Vector<float> a) => Vector.AsVectorSingle(Vector.Equals(a, a));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector<float> ScaleByPowerOfTwo(Vector<float> e, Vector<float> shifted) => Vector.AsVectorSingle(
        Vector.AsVectorInt32(e) + (Vector.AsVectorInt32(shifted) - Vector.AsVectorInt32(new Vector<float>(VectorMath.RoundingShift))) * new Vector<int>(1 << 23));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Sum(Vector<float> v) => Vector.Dot(v, Vector<float>.One);

    public float MaxAcross(Vector<float> v)
    {
        float max = v[0];
        for (int i = 1; i < Vector<float>.Count; i++) max = Math.Max(max, v[i]);
        return max;
    }
}

#if NET8_0_OR_GREATER
/// <summary>
/// Plain floats with a fused multiply-add: the tails of rows on the AVX paths, so that every element
/// sees exactly the operations a vector lane would.
/// </summary>
internal readonly unsafe struct OpsScalarFused : IVectorOps<float>
{
    public int Count => 1;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Load(float* p) => *p;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(float* p, float v) => *p = v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Create(float value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Add(float a, float b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Subtract(float a, float b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Multiply(float a, float b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Divide(float a, float b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float MultiplyAdd(float a, float b, float c) => MathF.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Max(float a, float b) => default(OpsScalar).Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Min(float a, float b) => default(OpsScalar).Min(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Clamp(float x, float lo, float hi) => default(OpsScalar).Clamp(x, lo, hi);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Abs(float a) => Math.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Select(float mask, float ifTrue, float ifFalse) => default(OpsScalar).Select(mask, ifTrue, ifFalse);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float LessThan(float a, float b) => default(OpsScalar).LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float GreaterThan(float a, float b) => default(OpsScalar).GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float GreaterThanOrEqual(float a, float b) => default(OpsScalar).GreaterThanOrEqual(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float IsNumber(float a) => default(OpsScalar).IsNumber(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float ScaleByPowerOfTwo(float e, float shifted) => default(OpsScalar).ScaleByPowerOfTwo(e, shifted);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Sum(float v) => v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float MaxAcross(float v) => v;
}
#endif

/// <summary>Plain floats, unfused multiply-add (the path when no vector hardware is available).</summary>
internal readonly unsafe struct OpsScalar : IVectorOps<float>
{
    public int Count => 1;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Load(float* p) => *p;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(float* p, float v) => *p = v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Create(float value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Add(float a, float b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Subtract(float a, float b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Multiply(float a, float b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Divide(float a, float b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float MultiplyAdd(float a, float b, float c) => a * b + c;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Max(float a, float b) => a > b ? a : b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Min(float a, float b) => a < b ? a : b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Clamp(float x, float lo, float hi) => x < lo ? lo : x > hi ? hi : x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Abs(float a) => Math.Abs(a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Select(float mask, float ifTrue, float ifFalse) => Bits(mask) != 0 ? ifTrue : ifFalse;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float LessThan(float a, float b) => a < b ? AllOnes : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float GreaterThan(float a, float b) => a > b ? AllOnes : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float GreaterThanOrEqual(float a, float b) => a >= b ? AllOnes : 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float IsNumber(float a) => float.IsNaN(a) ? 0f : AllOnes;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float ScaleByPowerOfTwo(float e, float shifted) => Float(Bits(e) + ((Bits(shifted) - Bits(VectorMath.RoundingShift)) << 23));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Sum(float v) => v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float MaxAcross(float v) => v;

    private static float AllOnes => Float(-1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe int Bits(float value) => *(int*)&value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe float Float(int bits) => *(float*)&bits;
}
