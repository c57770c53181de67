namespace Cortex.Kernels;

/// <summary>
/// The register operations every SIMD kernel is written against (GEMM, the element-wise kernels, the
/// vectorised functions of <see cref="VectorMath"/>), one struct per instruction set: <c>Simd512</c>,
/// <c>Simd256</c>, <see cref="SimdVector"/>, <see cref="SimdScalar"/> and <c>SimdScalarFused</c>.
/// A generic kernel instantiated with a struct is specialised and inlined by the JIT: one source, one
/// machine-code copy per instruction set. Every element-wise operation is lane-wise, so an element's result
/// does not depend on the register width it went through, only on whether multiply-add is fused.
/// <see cref="SimdDispatch"/> picks the structs for a <see cref="GemmIsa"/>.
/// </summary>
/// <typeparam name="TV">The register type: a vector of floats, or float itself.</typeparam>
internal unsafe interface ISimdOps<TV> where TV : struct
{
    /// <summary>Floats per register.</summary>
    int Count { get; }

    /// <summary>All lanes zero.</summary>
    TV Zero { get; }

    /// <summary>Every lane = *p.</summary>
    TV Broadcast(float* p);

    /// <summary>Writes the lane sums of a, b, c, d to dst[0..3] (one reduction tree for all four where possible).</summary>
    void Sum4(TV a, TV b, TV c, TV d, float* dst);

    /// <summary>Hints that the cache line holding p is about to be read (no-op where unsupported).</summary>
    void Prefetch(float* p);

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
