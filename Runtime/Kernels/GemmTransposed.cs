using System;
using System.Runtime.CompilerServices;

namespace Cortex.Kernels;

/// <summary>
/// NT products with few columns and many rows — a narrow output layer, z = x·Wᵀ with W (n ≤ 8, k): packed as
/// they stand, n would fill a quarter of a 32-wide panel. Computed transposed instead, cᵀ (n, m) = W · xᵀ, where
/// the n rows of W are one register tile of rows and the m rows of x stream through whole panels, then cᵀ is
/// transposed into c. Same micro-kernel, same k slices, so the path still depends on the shape alone.
/// </summary>
internal static unsafe class GemmTransposed
{
    /// <summary>From this many rows of c the transposed product beats the direct dot products.</summary>
    public const int MinRows = 64;

    [ThreadStatic] private static float[]? _scratch;

    /// <summary>Whether the product takes this path: NT, n ≤ 8, k ≥ 16, m ≥ <see cref="MinRows"/>, and not already a direct one.</summary>
    public static bool Prefers(int m, int n, int k, bool transposeA, bool transposeB) =>
        transposeB && !transposeA && n <= 8 && k >= 16 && m >= MinRows;

    /// <summary>c (m, n) = or += a (m, k) · bᵀ, b stored (n, k). m, n, k are positive.</summary>
    [MethodImpl(JitHints.HotLoop)]
    public static void Run(GemmIsa isa, float* c, float* a, float* b, int m, int n, int k, bool accumulate, WorkerPool? pool)
    {
        float[] scratch = _scratch is { } s && s.Length >= m * n ? s : (_scratch = new float[Math.Max(m * n, 1024)]);
        fixed (float* t = scratch)
        {
            GemmBlocked.Run(isa, t, b, a, n, m, k, transposeA: false, transposeB: true, accumulate: false, pool);   // cᵀ = b · aᵀ
            // c[i, j] (+)= cᵀ[j, i]: the product was summed on its own, then added, as the blocked kernel does.
            for (int i = 0; i < m; i++)
            {
                float* ci = c + (nint)i * n;
                float* ti = t + i;
                if (accumulate)
                    for (int j = 0; j < n; j++) ci[j] += ti[(nint)j * m];
                else
                    for (int j = 0; j < n; j++) ci[j] = ti[(nint)j * m];
            }
        }
    }
}
