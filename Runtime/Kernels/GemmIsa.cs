using System.Numerics;
using System.Runtime.CompilerServices;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
#endif

namespace Cortex.Kernels;

/// <summary>The instruction set a GEMM runs on; <see cref="GemmIsas.Best"/> is picked once at start-up.</summary>
internal enum GemmIsa
{
    /// <summary>Plain floats.</summary>
    Scalar,

    /// <summary>System.Numerics.Vector (any width, unfused multiply-add).</summary>
    Vector,

    /// <summary>AVX2 + FMA3, 256-bit.</summary>
    Avx2,

    /// <summary>AVX-512F, 512-bit.</summary>
    Avx512,
}

/// <summary>Which <see cref="GemmIsa"/> this process can run, and the tile shape each one uses.</summary>
internal static class GemmIsas
{
    /// <summary>The fastest instruction set the runtime reports as accelerated.</summary>
    public static readonly GemmIsa Best = Detect();

    /// <summary>Whether <paramref name="isa"/> can run in this process.</summary>
    public static bool IsSupported(GemmIsa isa) => isa switch
    {
        GemmIsa.Scalar => true,
        GemmIsa.Vector => Vector.IsHardwareAccelerated,
#if NET8_0_OR_GREATER
        GemmIsa.Avx2 => Vector256.IsHardwareAccelerated && Avx2.IsSupported && Fma.IsSupported,
        GemmIsa.Avx512 => Vector512.IsHardwareAccelerated && Avx512F.IsSupported,
#endif
        _ => false,
    };

    /// <summary>Micro-tile rows (MR) for <paramref name="isa"/>: 8 × 32 with AVX-512 (16 of 32 registers accumulate), else 6 × 2W (12 of 16).</summary>
    public static int TileRows(GemmIsa isa) => isa == GemmIsa.Avx512 ? 8 : 6;

    /// <summary>
    /// Depth (KC) of one packed k slice for <paramref name="isa"/>. With AVX-512 the (KC, 32) b panel
    /// streams from L2 and a deeper slice halves the passes over c; narrower tiles keep (KC, NR) in L1.
    /// </summary>
    public static int TileDepth(GemmIsa isa) => isa == GemmIsa.Avx512 ? 512 : 256;

    /// <summary>Micro-tile columns (NR = two registers) for <paramref name="isa"/>.</summary>
    public static int TileColumns(GemmIsa isa) => isa switch
    {
        GemmIsa.Avx512 => 32,
        GemmIsa.Avx2 => 16,
        GemmIsa.Vector => 2 * Vector<float>.Count,
        _ => 2,
    };

    private static GemmIsa Detect()
    {
        if (IsSupported(GemmIsa.Avx512)) return GemmIsa.Avx512;
        if (IsSupported(GemmIsa.Avx2)) return GemmIsa.Avx2;
        return IsSupported(GemmIsa.Vector) ? GemmIsa.Vector : GemmIsa.Scalar;
    }
}

/// <summary>One micro-kernel, bound to an instruction set, as a struct so generic drivers specialise on it.</summary>
internal unsafe interface ITile
{
    /// <summary>c (MR, NR) = or += packed a · packed b over kc steps; see <see cref="GemmMicroKernel"/>.</summary>
    void Run(int kc, float* a, float* b, float* c, nint ldc, bool add);

    /// <summary>The same product with MR rows of a row-major a read where they lie (row stride <paramref name="lda"/>): the same operations, nothing packed.</summary>
    void RunRows(int kc, float* a, nint lda, float* b, float* c, nint ldc, bool add);

    /// <summary>Writes (or adds) the top-left (rows, cols) of a tile that <see cref="Run"/> left in scratch (row stride NR) to c.</summary>
    void Merge(float* c, nint ldc, float* tile, int rows, int cols, bool add);
}

#if NET8_0_OR_GREATER
/// <summary>AVX-512: 8 × 32 tile, 16 accumulators of the 32 zmm registers.</summary>
internal readonly unsafe struct Avx512Tile : ITile
{
    public void Run(int kc, float* a, float* b, float* c, nint ldc, bool add) => GemmMicroKernel.Tile8<Simd512, Vector512<float>, PackedRows>(kc, a, new PackedRows(8), b, c, ldc, add);
    public void RunRows(int kc, float* a, nint lda, float* b, float* c, nint ldc, bool add) => GemmMicroKernel.Tile8<Simd512, Vector512<float>, SourceRows>(kc, a, new SourceRows(lda), b, c, ldc, add);
    public void Merge(float* c, nint ldc, float* tile, int rows, int cols, bool add) => GemmMicroKernel.Merge<Simd512, Vector512<float>>(c, ldc, tile, rows, cols, add);
}

/// <summary>AVX2: 6 × 16 tile, 12 accumulators of the 16 ymm registers.</summary>
internal readonly unsafe struct Avx2Tile : ITile
{
    public void Run(int kc, float* a, float* b, float* c, nint ldc, bool add) => GemmMicroKernel.Tile6<Simd256, Vector256<float>, PackedRows>(kc, a, new PackedRows(6), b, c, ldc, add);
    public void RunRows(int kc, float* a, nint lda, float* b, float* c, nint ldc, bool add) => GemmMicroKernel.Tile6<Simd256, Vector256<float>, SourceRows>(kc, a, new SourceRows(lda), b, c, ldc, add);
    public void Merge(float* c, nint ldc, float* tile, int rows, int cols, bool add) => GemmMicroKernel.Merge<Simd256, Vector256<float>>(c, ldc, tile, rows, cols, add);
}
#endif

/// <summary>Portable: 6 × 2W tile of System.Numerics.Vector.</summary>
internal readonly unsafe struct VectorTile : ITile
{
    public void Run(int kc, float* a, float* b, float* c, nint ldc, bool add) => GemmMicroKernel.Tile6<SimdVector, Vector<float>, PackedRows>(kc, a, new PackedRows(6), b, c, ldc, add);
    public void RunRows(int kc, float* a, nint lda, float* b, float* c, nint ldc, bool add) => GemmMicroKernel.Tile6<SimdVector, Vector<float>, SourceRows>(kc, a, new SourceRows(lda), b, c, ldc, add);
    public void Merge(float* c, nint ldc, float* tile, int rows, int cols, bool add) => GemmMicroKernel.Merge<SimdVector, Vector<float>>(c, ldc, tile, rows, cols, add);
}

/// <summary>Scalar: 6 × 2 tile.</summary>
internal readonly unsafe struct ScalarTile : ITile
{
    public void Run(int kc, float* a, float* b, float* c, nint ldc, bool add) => GemmMicroKernel.Tile6<SimdScalar, float, PackedRows>(kc, a, new PackedRows(6), b, c, ldc, add);
    public void RunRows(int kc, float* a, nint lda, float* b, float* c, nint ldc, bool add) => GemmMicroKernel.Tile6<SimdScalar, float, SourceRows>(kc, a, new SourceRows(lda), b, c, ldc, add);
    public void Merge(float* c, nint ldc, float* tile, int rows, int cols, bool add) => GemmMicroKernel.Merge<SimdScalar, float>(c, ldc, tile, rows, cols, add);
}

/// <summary>Method attributes shared by the hot loops.</summary>
internal static class JitHints
{
    /// <summary>
    /// Compile straight to optimised code (no tier-0 pass, no on-stack replacement): the kernels run
    /// long loops from their first call. The value is AggressiveOptimization, which netstandard2.1's
    /// reference assemblies do not name; runtimes that do not know it ignore it.
    /// </summary>
    public const MethodImplOptions HotLoop = (MethodImplOptions)512;

    /// <summary>
    /// <see cref="HotLoop"/>, compiled as a method of its own (never inlined into its dispatcher): a kernel body whose
    /// per-register math (tanh, exp) must inline gets the JIT's whole inlining budget instead of what is left of its caller's.
    /// </summary>
    public const MethodImplOptions KernelRoot = HotLoop | MethodImplOptions.NoInlining;
}
