using System;

namespace Cortex.Kernels;

/// <summary>
/// A dense layer's forward pass in one product: z = x·Wᵀ + b, y = f(z), with the bias and the activation applied to each
/// output tile of the GEMM as its sums finish (<see cref="GemmBlocked.RunBiasActivation"/>), instead of a second pass over
/// z. <see cref="ForwardUnfusedOn"/> — the product, then <see cref="ActivationKernels"/>' pass — is its reference twin: the
/// same operations on every element, so the same bits.
/// </summary>
internal static unsafe class DenseKernels
{
    /// <summary>
    /// z = x·Wᵀ + b, y = f(z) on <see cref="GemmIsas.Best"/>, when the product takes the blocked path and f is element-wise;
    /// returns false, having done nothing, otherwise (small products, narrow outputs, softmax: the caller runs the product
    /// and the pass). y may be z (then only y = f(z) is stored: inference). Validated first.
    /// </summary>
    /// <param name="y">Output (rows, columns).</param>
    /// <param name="z">Pre-activation (rows, columns), written.</param>
    /// <param name="x">Input (rows, inputs).</param>
    /// <param name="weight">W (columns, inputs).</param>
    /// <param name="bias">b (columns), or empty for none.</param>
    /// <param name="activation">f.</param>
    /// <param name="rows">Batch.</param>
    /// <param name="columns">Outputs.</param>
    /// <param name="inputs">Inputs.</param>
    /// <param name="pool">Threads for a large product (null: the calling thread).</param>
    public static bool TryForward(Span<float> y, Span<float> z, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        Activation activation, int rows, int columns, int inputs, WorkerPool? pool) =>
        TryForwardOn(GemmIsas.Best, y, z, x, weight, bias, activation, rows, columns, inputs, pool);

    /// <summary>Whether <see cref="TryForward"/> fuses this layer: the shape alone and whether f is element-wise.</summary>
    public static bool Fuses(Activation activation, int rows, int columns, int inputs) =>
        activation.Kind != ActivationKind.Softmax && rows > 0 && columns > 0 && inputs > 0
        && !GemmDirect.Prefers(rows, columns, inputs, transposeA: false, transposeB: true)
        && !GemmTransposed.Prefers(rows, columns, inputs, transposeA: false, transposeB: true);

    /// <summary><see cref="TryForward"/> on a chosen instruction set (tests run every one).</summary>
    public static bool TryForwardOn(GemmIsa isa, Span<float> y, Span<float> z, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        Activation activation, int rows, int columns, int inputs, WorkerPool? pool)
    {
        Gemm.Validate(z, x, weight, rows, columns, inputs);
        ActivationKernels.CheckForward(y.Length, z.Length, bias.Length, rows, columns);
        if (!GemmIsas.IsSupported(isa)) throw new ArgumentOutOfRangeException(nameof(isa), isa, "This instruction set is not available here.");
        if (!Fuses(activation, rows, columns, inputs)) return false;
        bool inPlace = SameStart(y, z);
        fixed (float* py = y)
        fixed (float* pz = z)
        fixed (float* px = x)
        fixed (float* pw = weight)
        fixed (float* pb = bias)
        {
            GemmBlocked.RunBiasActivation(isa, pz, px, pw, rows, columns, inputs, transposeA: false, transposeB: true, pool,
                bias.IsEmpty ? null : pb, inPlace ? 0 : (nint)(py - pz), activation);
        }
        return true;
    }

    /// <summary>
    /// The reference twin: z = x·Wᵀ, then z += b and y = f(z) in <see cref="ActivationKernels"/>' separate pass (in place
    /// when y is z), on one thread.
    /// </summary>
    public static void ForwardUnfusedOn(GemmIsa isa, Span<float> y, Span<float> z, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        Activation activation, int rows, int columns, int inputs)
    {
        Gemm.MultiplyOn(isa, z, x, weight, rows, columns, inputs, transposeA: false, transposeB: true, accumulate: false, pool: null);
        ActivationKernels.CheckForward(y.Length, z.Length, bias.Length, rows, columns);
        bool inPlace = SameStart(y, z);
        if (inPlace && activation.Kind != ActivationKind.Linear) ActivationKernels.InPlaceOn(isa, y, bias, activation, rows, columns);
        else ActivationKernels.ForwardOn(isa, y, z, bias, activation, rows, columns);
    }

    // y is z itself (in place), not merely overlapping it.
    private static bool SameStart(Span<float> y, Span<float> z) => y.Overlaps(z, out int offset) && offset == 0;
}
