using System;
using Cortex.Tensors;

namespace Cortex.Backends;

/// <summary>
/// The small op set a brain runs on. <see cref="CpuBackend"/> is its living definition; other backends
/// (OpenCL) must agree with it within stated tolerances. Argument order: outputs, then inputs, then sizes.
/// Every slice must belong to a buffer this backend allocated. Matrices are row-major.
/// </summary>
public interface IBackend : IDisposable
{
    /// <summary>A short human-readable name, e.g. "cpu (2 threads)".</summary>
    string Name { get; }

    /// <summary>Allocates a zero-filled buffer of <paramref name="length"/> floats.</summary>
    /// <param name="length">Number of floats.</param>
    DeviceBuffer Allocate(int length);

    /// <summary>Copies host floats into a slice; <paramref name="source"/> must be exactly as long as the slice.</summary>
    /// <param name="destination">Where to write.</param>
    /// <param name="source">What to write.</param>
    void Upload(BufferSlice destination, ReadOnlySpan<float> source);

    /// <summary>Copies a slice into host memory; <paramref name="destination"/> must be exactly as long as the slice.</summary>
    /// <param name="destination">Where to write.</param>
    /// <param name="source">What to read.</param>
    void Download(Span<float> destination, BufferSlice source);

    /// <summary>Copies one slice into another of the same length.</summary>
    /// <param name="destination">Where to write.</param>
    /// <param name="source">What to read.</param>
    void Copy(BufferSlice destination, BufferSlice source);

    /// <summary>Sets every float of a slice to <paramref name="value"/>.</summary>
    /// <param name="destination">Where to write.</param>
    /// <param name="value">The value.</param>
    void Fill(BufferSlice destination, float value);

    /// <summary>c (m, n) = op(a) · op(b), or c += … when <paramref name="accumulate"/>; see <see cref="Kernels.GemmNaive.Multiply"/>.</summary>
    /// <param name="c">Output (m, n).</param>
    /// <param name="a">(m, k), or (k, m) when transposed.</param>
    /// <param name="b">(k, n), or (n, k) when transposed.</param>
    /// <param name="m">Rows of c.</param>
    /// <param name="n">Columns of c.</param>
    /// <param name="k">Reduced dimension.</param>
    /// <param name="transposeA">Use aᵀ.</param>
    /// <param name="transposeB">Use bᵀ.</param>
    /// <param name="accumulate">Add into c.</param>
    void Gemm(BufferSlice c, BufferSlice a, BufferSlice b, int m, int n, int k, bool transposeA, bool transposeB, bool accumulate);

    /// <summary>
    /// A dense layer's forward pass: z = x·Wᵀ + bias, then y = f(z). The result is exactly that of
    /// <c>Gemm(z, x, weight, rows, columns, inputs, transposeA: false, transposeB: true, accumulate: false)</c>
    /// followed by <c>BiasActivationForward(y, z, bias, activation, rows, columns)</c>, bit for bit; a backend may
    /// do both in one pass (a device: one kernel launch instead of two).
    /// </summary>
    /// <param name="y">Output (rows, columns); may be the same slice as z (as in <see cref="BiasActivationForward"/>).</param>
    /// <param name="z">Pre-activation (rows, columns), written.</param>
    /// <param name="x">Input (rows, inputs).</param>
    /// <param name="weight">Weights (columns, inputs), row-major.</param>
    /// <param name="bias">(columns) or empty.</param>
    /// <param name="activation">The function.</param>
    /// <param name="rows">Batch size.</param>
    /// <param name="columns">Outputs.</param>
    /// <param name="inputs">Inputs.</param>
    void DenseForward(BufferSlice y, BufferSlice z, BufferSlice x, BufferSlice weight, BufferSlice bias, Activation activation, int rows, int columns, int inputs);

    /// <summary>
    /// z += bias (broadcast over rows; skipped when bias is empty), then y = f(z). y may be the same slice as z: the
    /// result then replaces z (inference, where no backward pass follows; for linear nothing is lost).
    /// </summary>
    /// <param name="y">Output (rows, columns).</param>
    /// <param name="z">Pre-activation (rows, columns), updated in place.</param>
    /// <param name="bias">(columns) or empty.</param>
    /// <param name="activation">The function.</param>
    /// <param name="rows">Batch size.</param>
    /// <param name="columns">Width.</param>
    void BiasActivationForward(BufferSlice y, BufferSlice z, BufferSlice bias, Activation activation, int rows, int columns);

    /// <summary>dZ = f′(z) ⊙ dY (softmax: the row-wise vector-Jacobian product). dZ may equal dY.</summary>
    /// <param name="dZ">Output (rows, columns).</param>
    /// <param name="dY">Gradient with respect to the output (rows, columns).</param>
    /// <param name="z">Forward pre-activation.</param>
    /// <param name="y">Forward output.</param>
    /// <param name="activation">The function.</param>
    /// <param name="rows">Batch size.</param>
    /// <param name="columns">Width.</param>
    void ActivationBackward(BufferSlice dZ, BufferSlice dY, BufferSlice z, BufferSlice y, Activation activation, int rows, int columns);

    /// <summary>sums (columns) = Σ_rows x, or += when <paramref name="accumulate"/>.</summary>
    /// <param name="sums">Output (columns).</param>
    /// <param name="x">Input (rows, columns).</param>
    /// <param name="rows">Rows.</param>
    /// <param name="columns">Width.</param>
    /// <param name="accumulate">Add into sums.</param>
    void ColumnSum(BufferSlice sums, BufferSlice x, int rows, int columns, bool accumulate);

    /// <summary>The loss averaged over rows (waits for the device).</summary>
    /// <param name="loss">Which loss.</param>
    /// <param name="output">y (rows, columns).</param>
    /// <param name="preActivation">z (rows, columns).</param>
    /// <param name="target">Targets (rows, columns).</param>
    /// <param name="rows">Batch size.</param>
    /// <param name="columns">Outputs.</param>
    float LossForward(Loss loss, BufferSlice output, BufferSlice preActivation, BufferSlice target, int rows, int columns);

    /// <summary>Gradient of the mean loss with respect to y, or to z for fused losses (<see cref="Loss.IsFused"/>).</summary>
    /// <param name="gradient">Output (rows, columns).</param>
    /// <param name="loss">Which loss.</param>
    /// <param name="output">y (rows, columns).</param>
    /// <param name="preActivation">z (rows, columns).</param>
    /// <param name="target">Targets (rows, columns).</param>
    /// <param name="rows">Batch size.</param>
    /// <param name="columns">Outputs.</param>
    void LossBackward(BufferSlice gradient, Loss loss, BufferSlice output, BufferSlice preActivation, BufferSlice target, int rows, int columns);

    /// <summary>Σ x² in double (waits for the device): the squared gradient norm for clipping and the finite-step guard.</summary>
    /// <param name="x">Values.</param>
    double SumOfSquares(BufferSlice x);

    /// <summary>
    /// One optimizer step over a parameter arena: reads the gradients times <paramref name="gradientScale"/>,
    /// updates parameters and moments, and clears the gradients. Moments the rule does not use may be empty.
    /// </summary>
    /// <param name="optimizer">Rule and hyperparameters.</param>
    /// <param name="parameters">Θ.</param>
    /// <param name="gradients">g, cleared afterwards.</param>
    /// <param name="moment1">Velocity (momentum) or m (Adam).</param>
    /// <param name="moment2">v (Adam).</param>
    /// <param name="step">1-based step number (Adam's bias correction).</param>
    /// <param name="gradientScale">Clipping factor, 1 for none.</param>
    void OptimizerStep(Optimizer optimizer, BufferSlice parameters, BufferSlice gradients, BufferSlice moment1, BufferSlice moment2,
        long step, float gradientScale);

    /// <summary>destination ← destination + t(source − destination).</summary>
    /// <param name="destination">Updated.</param>
    /// <param name="source">Target values.</param>
    /// <param name="t">Fraction in [0, 1].</param>
    void Lerp(BufferSlice destination, BufferSlice source, float t);

    /// <summary>The element-wise part of a GRU step; see <see cref="Kernels.RecurrentKernels.GruGatesForward"/>. hNext may equal h.</summary>
    /// <param name="hNext">h′ (rows, hidden).</param>
    /// <param name="gates">[u | r | n] (rows, 3·hidden), kept for the backward pass.</param>
    /// <param name="gx">x·Wᵀ + b_x (rows, 3·hidden).</param>
    /// <param name="gh">h·Uᵀ + b_h (rows, 3·hidden).</param>
    /// <param name="h">h (rows, hidden).</param>
    /// <param name="rows">Batch size.</param>
    /// <param name="hidden">H.</param>
    void GruGatesForward(BufferSlice hNext, BufferSlice gates, BufferSlice gx, BufferSlice gh, BufferSlice h, int rows, int hidden);

    /// <summary>Backward of <see cref="GruGatesForward"/>; see <see cref="Kernels.RecurrentKernels.GruGatesBackward"/>.</summary>
    /// <param name="dGx">dL/dgx (rows, 3·hidden), overwritten.</param>
    /// <param name="dGh">dL/dgh (rows, 3·hidden), overwritten.</param>
    /// <param name="dH">dL/dh (rows, hidden), accumulated into (the direct path dh′ ⊙ u).</param>
    /// <param name="dHNext">dL/dh′ (rows, hidden).</param>
    /// <param name="gates">[u | r | n] from the forward pass.</param>
    /// <param name="gh">h·Uᵀ + b_h from the forward pass.</param>
    /// <param name="h">h (rows, hidden).</param>
    /// <param name="rows">Batch size.</param>
    /// <param name="hidden">H.</param>
    void GruGatesBackward(BufferSlice dGx, BufferSlice dGh, BufferSlice dH, BufferSlice dHNext, BufferSlice gates, BufferSlice gh, BufferSlice h,
        int rows, int hidden);

    /// <summary>Waits until all queued work has finished (a no-op on the CPU).</summary>
    void Synchronize();
}
