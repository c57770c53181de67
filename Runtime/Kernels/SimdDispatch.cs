using System.Numerics;
using System.Runtime.CompilerServices;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
#endif

namespace Cortex.Kernels;

/// <summary>
/// The one instruction-set dispatcher of the element-wise kernels: picks the <see cref="ISimdOps{TV}"/> structs
/// for a <see cref="GemmIsa"/> and runs an <see cref="ISimdKernel"/> with them (the GEMM has its tiles, see
/// <see cref="ITile"/>).
/// </summary>
internal static class SimdDispatch
{
    /// <summary>
    /// Runs <paramref name="kernel"/> on <paramref name="isa"/>: AVX-512 with AVX2 then fused scalar tails,
    /// AVX2 with fused scalar tails, System.Numerics.Vector with unfused scalar tails, or unfused scalar.
    /// The caller has checked <see cref="GemmIsas.IsSupported"/>.
    /// </summary>
    /// <typeparam name="TKernel">The kernel (a struct, so the JIT specialises each instantiation).</typeparam>
    /// <param name="isa">The instruction set.</param>
    /// <param name="kernel">The kernel and its operands.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TKernel>(GemmIsa isa, ref TKernel kernel) where TKernel : struct, ISimdKernel
    {
        switch (isa)
        {
#if NET8_0_OR_GREATER
            case GemmIsa.Avx512: kernel.Run<Simd512, Vector512<float>, Simd256, Vector256<float>, SimdScalarFused>(); break;
            case GemmIsa.Avx2: kernel.Run<Simd256, Vector256<float>, Simd256, Vector256<float>, SimdScalarFused>(); break;
#endif
            case GemmIsa.Vector: kernel.Run<SimdVector, Vector<float>, SimdVector, Vector<float>, SimdScalar>(); break;
            default: kernel.Run<SimdScalar, float, SimdScalar, float, SimdScalar>(); break;
        }
    }
}
