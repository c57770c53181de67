using System;

namespace Cortex.Kernels;

/// <summary>
/// The plain triple-loop reference for <see cref="Gemm"/>: obviously correct, slow, and the
/// definition every fast path is tested against.
/// </summary>
internal static class GemmNaive
{
    /// <summary>
    /// c (m, n) = op(a) (m, k) · op(b) (k, n), or c += … when <paramref name="accumulate"/> is set.
    /// op(a) is a (m, k) as stored, or aᵀ when <paramref name="transposeA"/> (a stored as (k, m));
    /// op(b) is b (k, n), or bᵀ when <paramref name="transposeB"/> (b stored as (n, k)). Row-major.
    /// </summary>
    /// <param name="c">Output, (m, n), row-major.</param>
    /// <param name="a">Left operand: (m, k), or (k, m) when transposed.</param>
    /// <param name="b">Right operand: (k, n), or (n, k) when transposed.</param>
    /// <param name="m">Rows of c.</param>
    /// <param name="n">Columns of c.</param>
    /// <param name="k">The shared (reduced) dimension.</param>
    /// <param name="transposeA">Use aᵀ.</param>
    /// <param name="transposeB">Use bᵀ.</param>
    /// <param name="accumulate">Add into c instead of overwriting it.</param>
    public static void Multiply(Span<float> c, ReadOnlySpan<float> a, ReadOnlySpan<float> b,
        int m, int n, int k, bool transposeA, bool transposeB, bool accumulate)
    {
        Gemm.Validate(c, a, b, m, n, k);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0f;
                for (int p = 0; p < k; p++)
                {
                    float av = transposeA ? a[p * m + i] : a[i * k + p];
                    float bv = transposeB ? b[j * k + p] : b[p * n + j];
                    sum += av * bv;
                }
                c[i * n + j] = accumulate ? c[i * n + j] + sum : sum;
            }
        }
    }
}
