using System;

namespace Cortex.Kernels;

/// <summary>
/// A dense layer's forward pass in one product: z = x·Wᵀ + b, y = f(z), with the bias (and a cheap activation) applied to
/// each output tile of the GEMM in registers as its sums finish (<see cref="GemmBlocked.RunBiasActivation"/>), instead of a
/// second pass over z. <see cref="ForwardUnfusedOn"/> — the product, then <see cref="ActivationKernels"/>' pass — is its reference twin: the
/// same operations on every element, so the same bits.
/// </summary>
internal static unsafe class DenseKernels
{
    /// <summary>
    /// z = x·Wᵀ + b, y = f(z) on <see cref="GemmIsas.Best"/> where the product takes the blocked path: the bias, and a
    /// cheap activation (<see cref="Cheap"/>), applied to each output tile in registers as its last k slice finishes.
    /// Returns what was done: <see cref="DenseFusion.BiasActivation"/> (all of it), <see cref="DenseFusion.Bias"/> (z = x·Wᵀ + b
    /// only: the caller applies f to z without a bias, in place when y is z), or <see cref="DenseFusion.None"/> (nothing:
    /// small products and narrow outputs take other paths; the caller runs the product and the pass). y may be z (then
    /// only y = f(z) is kept: inference). Validated first.
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
    public static DenseFusion TryForward(Span<float> y, Span<float> z, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        Activation activation, int rows, int columns, int inputs, WorkerPool? pool) =>
        TryForwardOn(GemmIsas.Best, y, z, x, weight, bias, activation, rows, columns, inputs, pool);

    /// <summary>Whether the product of a dense forward takes the blocked path, which has the epilogue: the shape alone.</summary>
    public static bool Fuses(int rows, int columns, int inputs) =>
        rows > 0 && columns > 0 && inputs > 0
        && !GemmDirect.Prefers(rows, columns, inputs, transposeA: false, transposeB: true)
        && !GemmTransposed.Prefers(rows, columns, inputs, transposeA: false, transposeB: true);

    /// <summary>
    /// Activations a few register operations long, applied in the GEMM's epilogue. The others (exp, tanh, and softmax,
    /// which mixes a row) measured slower there than in their own pass over the finished rows: sixteen inlined copies of
    /// their math in the micro-kernel spill its accumulators.
    /// </summary>
    public static bool Cheap(Activation activation) =>
        activation.Kind is ActivationKind.Linear or ActivationKind.Relu or ActivationKind.LeakyRelu or ActivationKind.BinaryStep;

    /// <summary><see cref="TryForward"/> on a chosen instruction set (tests run every one).</summary>
    public static DenseFusion TryForwardOn(GemmIsa isa, Span<float> y, Span<float> z, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        Activation activation, int rows, int columns, int inputs, WorkerPool? pool)
    {
        Gemm.Validate(z, x, weight, rows, columns, inputs);
        ActivationKernels.CheckForward(y.Length, z.Length, bias.Length, rows, columns);
        if (!GemmIsas.IsSupported(isa)) throw new ArgumentOutOfRangeException(nameof(isa), isa, "This instruction set is not available here.");
        if (!Fuses(rows, columns, inputs)) return DenseFusion.None;
        bool cheap = Cheap(activation), inPlace = SameStart(y, z);
        fixed (float* py = y)
        fixed (float* pz = z)
        fixed (float* px = x)
        fixed (float* pw = weight)
        fixed (float* pb = bias)
        {
            GemmBlocked.RunBiasActivation(isa, pz, px, pw, rows, columns, inputs, transposeA: false, transposeB: true, pool,
                bias.IsEmpty ? null : pb, cheap && !inPlace ? (nint)(py - pz) : 0, cheap ? activation : Activation.Linear);
        }
        return cheap ? DenseFusion.BiasActivation : DenseFusion.Bias;
    }

    /// <summary><see cref="TryForwardOn"/>, then what it left, on one thread: the whole forward pass whatever the path.</summary>
    public static void ForwardOn(GemmIsa isa, Span<float> y, Span<float> z, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        Activation activation, int rows, int columns, int inputs, WorkerPool? pool)
    {
        switch (TryForwardOn(isa, y, z, x, weight, bias, activation, rows, columns, inputs, pool))
        {
            case DenseFusion.BiasActivation:
                return;
            case DenseFusion.Bias:
                ActivationPass(isa, y, z, default, activation, rows, columns);
                return;
            default:
                ForwardUnfusedOn(isa, y, z, x, weight, bias, activation, rows, columns, inputs);
                return;
        }
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
        ActivationPass(isa, y, z, bias, activation, rows, columns);
    }

    // z += b, y = f(z): in place when y is z, as the CPU backend's pass.
    private static void ActivationPass(GemmIsa isa, Span<float> y, Span<float> z, ReadOnlySpan<float> bias, Activation activation, int rows, int columns)
    {
        if (SameStart(y, z) && activation.Kind != ActivationKind.Linear) ActivationKernels.InPlaceOn(isa, y, bias, activation, rows, columns);
        else ActivationKernels.ForwardOn(isa, y, z, bias, activation, rows, columns);
    }

    // y is z itself (in place), not merely overlapping it.
    private static bool SameStart(Span<float> y, Span<float> z) => y.Overlaps(z, out int offset) && offset == 0;
}

/// <summary>What <see cref="DenseKernels.TryForward"/> did.</summary>
internal enum DenseFusion
{
    /// <summary>Nothing: the product takes another path; run the product and the pass.</summary>
    None,

    /// <summary>z = x·Wᵀ + b; y = f(z) is left to the caller (no bias to add).</summary>
    Bias,

    /// <summary>z = x·Wᵀ + b and y = f(z).</summary>
    BiasActivation,
}
