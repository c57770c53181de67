using System;
using System.Runtime.CompilerServices;

namespace Cortex.Kernels;

/// <summary>
/// Vectorised float functions for the activations, written once over <see cref="ISimdOps{TV}"/>.
/// Accuracy against the double definitions in <see cref="ActivationFunctions"/> is a few ulp (tests bound it);
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
    public static TV Exp<TO, TV>(TV x) where TO : struct, ISimdOps<TV> where TV : struct
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
    public static TV Tanh<TO, TV>(TV x) where TO : struct, ISimdOps<TV> where TV : struct
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
    public static TV Sigmoid<TO, TV>(TV x) where TO : struct, ISimdOps<TV> where TV : struct
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
    public static TV Softplus<TO, TV>(TV x) where TO : struct, ISimdOps<TV> where TV : struct
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
            var kernel = new ExpKernel(px, py, x.Length);
            SimdDispatch.Run(isa, ref kernel);
        }
    }

    private readonly unsafe struct ExpKernel : ISimdKernel
    {
        private readonly float* _x, _y;
        private readonly int _n;

        public ExpKernel(float* x, float* y, int n)
        {
            _x = x;
            _y = y;
            _n = n;
        }

        public void Run<TO, TV, TN, TW, TS>()
            where TO : struct, ISimdOps<TV> where TV : struct
            where TN : struct, ISimdOps<TW> where TW : struct
            where TS : struct, ISimdOps<float>
        {
            TO o = default;
            float* x = _x, y = _y;
            int j = 0, n = _n;
            for (; j <= n - o.Count; j += o.Count) o.Store(y + j, Exp<TO, TV>(o.Load(x + j)));
            for (; j < n; j++) y[j] = Exp<TS, float>(x[j]);
        }
    }

    /// <summary>ELU: x for x &gt; 0, α(eˣ − 1) otherwise. NaN stays NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Elu<TO, TV>(TV x, TV alpha) where TO : struct, ISimdOps<TV> where TV : struct
    {
        TO o = default;
        TV zero = o.Create(0f);
        TV negative = o.Multiply(alpha, o.Subtract(Exp<TO, TV>(o.Min(x, zero)), o.Create(1f)));
        TV y = o.Select(o.GreaterThan(x, zero), x, negative);
        return o.Select(o.IsNumber(x), y, x);
    }
}
