using System;
using System.Numerics.Tensors;

namespace Cortex.Kernels;

/// <summary>
/// Float kernels for the losses (<see cref="Loss.Reference"/> is their definition): the mean loss over
/// rows, and its gradient. Span in, span out; nothing allocates.
/// </summary>
public static class LossKernels
{
    /// <summary>The loss averaged over rows, accumulated in double in a fixed order.</summary>
    /// <param name="loss">Which loss.</param>
    /// <param name="output">Output y (rows, columns).</param>
    /// <param name="preActivation">Pre-activation z (rows, columns); read by the fused cross-entropies.</param>
    /// <param name="target">Targets (rows, columns).</param>
    /// <param name="rows">Batch size.</param>
    /// <param name="columns">Outputs per row.</param>
    public static float Forward(Loss loss, ReadOnlySpan<float> output, ReadOnlySpan<float> preActivation, ReadOnlySpan<float> target, int rows, int columns)
    {
        Validate(output, preActivation, target, rows, columns);
        if (rows == 0) return 0f;
        double total = 0;
        float delta = loss.Delta;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> y = output.Slice(r * columns, columns), z = preActivation.Slice(r * columns, columns), c = target.Slice(r * columns, columns);
            double row = 0;
            switch (loss.Kind)
            {
                case LossKind.MeanSquaredError:                          // (1/K) Σ (y − c)²
                    for (int k = 0; k < columns; k++) { double d = y[k] - c[k]; row += d * d; }
                    row /= columns;
                    break;
                case LossKind.SoftmaxCrossEntropy:                       // −Σ c ln softmax(z), via log-sum-exp
                    float max = TensorPrimitives.Max(z);
                    double sum = 0;
                    for (int k = 0; k < columns; k++) sum += Math.Exp(z[k] - max);
                    double logSum = max + Math.Log(sum);
                    for (int k = 0; k < columns; k++) if (c[k] != 0f) row -= c[k] * (z[k] - logSum);
                    break;
                case LossKind.BinaryCrossEntropy:                        // (1/K) Σ softplus(z) − c z
                    for (int k = 0; k < columns; k++) row += ActivationKernels.Softplus(z[k]) - (double)c[k] * z[k];
                    row /= columns;
                    break;
                case LossKind.Hinge:
                    if (columns == 1)
                    {
                        row = Math.Max(0.0, 1.0 - (c[0] >= 0.5f ? 1.0 : -1.0) * y[0]);
                        break;
                    }
                    int t = Metrics.ArgMax(c);
                    for (int k = 0; k < columns; k++) if (k != t) row += Math.Max(0.0, 1.0 + y[k] - y[t]);
                    break;
                case LossKind.Huber:
                    for (int k = 0; k < columns; k++)
                    {
                        double a = Math.Abs(y[k] - c[k]);
                        row += a <= delta ? 0.5 * a * a : delta * (a - 0.5 * delta);
                    }
                    row /= columns;
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(loss), loss.Kind, "Unknown loss.");
            }
            total += row;
        }
        return (float)(total / rows);
    }

    /// <summary>
    /// The gradient of the mean loss: with respect to y for unfused losses, with respect to z for the
    /// fused cross-entropies (<see cref="Loss.IsFused"/>). Overwrites <paramref name="gradient"/>.
    /// </summary>
    /// <param name="gradient">Output (rows, columns).</param>
    /// <param name="loss">Which loss.</param>
    /// <param name="output">Output y (rows, columns).</param>
    /// <param name="preActivation">Pre-activation z (rows, columns).</param>
    /// <param name="target">Targets (rows, columns).</param>
    /// <param name="rows">Batch size.</param>
    /// <param name="columns">Outputs per row.</param>
    public static void Backward(Span<float> gradient, Loss loss, ReadOnlySpan<float> output, ReadOnlySpan<float> preActivation,
        ReadOnlySpan<float> target, int rows, int columns)
    {
        Validate(output, preActivation, target, rows, columns);
        Check.Matrix(gradient.Length, rows, columns, nameof(gradient));
        if (rows == 0) return;
        float perRow = 1f / rows, perElement = 1f / ((float)rows * columns), delta = loss.Delta;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> y = output.Slice(r * columns, columns), c = target.Slice(r * columns, columns);
            Span<float> g = gradient.Slice(r * columns, columns);
            switch (loss.Kind)
            {
                case LossKind.MeanSquaredError:                          // 2(y − c) / (B·K)
                    for (int k = 0; k < columns; k++) g[k] = 2f * (y[k] - c[k]) * perElement;
                    break;
                case LossKind.SoftmaxCrossEntropy:                       // dz = (p Σc − c) / B; p = y, the softmax output
                    float mass = TensorPrimitives.Sum(c);
                    for (int k = 0; k < columns; k++) g[k] = (y[k] * mass - c[k]) * perRow;
                    break;
                case LossKind.BinaryCrossEntropy:                        // dz = (p − c) / (B·K); p = y, the sigmoid output
                    for (int k = 0; k < columns; k++) g[k] = (y[k] - c[k]) * perElement;
                    break;
                case LossKind.Hinge:
                    g.Clear();
                    if (columns == 1)
                    {
                        float s = c[0] >= 0.5f ? 1f : -1f;
                        if (1f - s * y[0] > 0f) g[0] = -s * perRow;
                        break;
                    }
                    int t = Metrics.ArgMax(c), active = 0;
                    for (int k = 0; k < columns; k++)
                    {
                        if (k != t && 1f + y[k] - y[t] > 0f) { g[k] = perRow; active++; }
                    }
                    g[t] = -active * perRow;
                    break;
                case LossKind.Huber:                                     // clamp(y − c, −δ, δ) / (B·K)
                    for (int k = 0; k < columns; k++) g[k] = Math.Max(-delta, Math.Min(delta, y[k] - c[k])) * perElement;
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(loss), loss.Kind, "Unknown loss.");
            }
        }
    }

    private static void Validate(ReadOnlySpan<float> output, ReadOnlySpan<float> preActivation, ReadOnlySpan<float> target, int rows, int columns) =>
        Validate(output.Length, preActivation.Length, target.Length, rows, columns);

    /// <summary>The shape checks of <see cref="Forward"/> and <see cref="Backward"/> on operand lengths (any backend's buffers).</summary>
    internal static void Validate(int output, int preActivation, int target, int rows, int columns)
    {
        Check.Dimensions(rows, columns);
        if (columns == 0) throw new ArgumentOutOfRangeException(nameof(columns), columns, "A loss needs at least one output column.");
        Check.Matrix(output, rows, columns, nameof(output));
        Check.Matrix(preActivation, rows, columns, nameof(preActivation));
        Check.Matrix(target, rows, columns, nameof(target));
    }
}
