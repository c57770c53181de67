using System;
using System.Runtime.CompilerServices;

namespace Cortex.Kernels;

/// <summary>
/// NT products computed transposed, cᵀ (n, m) = b · aᵀ, then transposed into c — z = x·Wᵀ with W (n, k) as the left
/// operand, read where it lies (nothing packed), and the rows of x packed as the panels:
/// <list type="bullet">
/// <item>a narrow output layer (n ≤ 16) over many rows: packed as they stand, n would fill at most half of a 32-wide
/// panel, while as rows of the product the n rows of W are one or two register tiles;</item>
/// <item>a wide layer over a small batch (m ≤ 256, n ≥ 2m): packing Wᵀ, all n·k of it, every call costs more than
/// packing the m·k of x, and W is too large for the copy to stay in cache.</item>
/// </list>
/// Same micro-kernel, same k slices, so every element sees the operations of the blocked product and the path still
/// depends on the shape alone.
/// </summary>
internal static unsafe class GemmTransposed
{
    /// <summary>From this many rows of c the transposed product beats the direct dot products.</summary>
    public const int MinRows = 64;

    /// <summary>At most this many columns make a narrow layer: two register tiles of rows of W, where packed they would pad a 32-wide panel.</summary>
    private const int NarrowColumns = 16;

    /// <summary>At most this many rows of c for the wide-layer case (one row block of the blocked product).</summary>
    private const int MaxBatchRows = 256;

    [ThreadStatic] private static float[]? _scratch;

    /// <summary>
    /// Whether the product takes this path: NT with k ≥ 16, and either n ≤ 16 with m ≥ <see cref="MinRows"/>, or
    /// m ≤ 256 with n ≥ 2m and m a multiple of 32 or at least 128 (so the m columns of cᵀ fill whole panels).
    /// </summary>
    public static bool Prefers(int m, int n, int k, bool transposeA, bool transposeB) =>
        transposeB && !transposeA && k >= 16
        && (n <= NarrowColumns ? m >= MinRows : m <= MaxBatchRows && n >= 2 * m && (m % 32 == 0 || m >= 128));

    /// <summary>c (m, n) = or += a (m, k) · bᵀ, b stored (n, k). m, n, k are positive.</summary>
    [MethodImpl(JitHints.HotLoop)]
    public static void Run(GemmIsa isa, float* c, float* a, float* b, int m, int n, int k, bool accumulate, WorkerPool? pool)
    {
        float[] scratch = _scratch is { } s && s.Length >= m * n ? s : (_scratch = new float[Math.Max(m * n, 1024)]);
        fixed (float* t = scratch)
        {
            GemmBlocked.Run(isa, t, b, a, n, m, k, transposeA: false, transposeB: true, accumulate: false, pool, sourceRows: true);   // cᵀ = b · aᵀ
            // c[i, j] (+)= cᵀ[j, i]: the product was summed on its own, then added, as the blocked kernel does.
            Transpose8.Matrix(c, n, t, m, m, n, accumulate);
        }
    }
}
