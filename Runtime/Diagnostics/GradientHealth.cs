using System;

namespace Cortex.Diagnostics;

/// <summary>Why a layer may not be learning.</summary>
[Flags]
public enum HealthIssue
{
    /// <summary>Nothing stands out.</summary>
    None = 0,
    /// <summary>The gradient held a NaN or an infinity (the step was rejected).</summary>
    NonFinite = 1,
    /// <summary>The gradient norm exceeds <see cref="GradientHealth.ExplodingNorm"/>: exploding gradients.</summary>
    Exploding = 2,
    /// <summary>The gradient norm is below <see cref="GradientHealth.VanishingNorm"/>: vanishing gradients.</summary>
    Vanishing = 4,
    /// <summary>At least <see cref="GradientHealth.DeadShareLimit"/> of the ReLU units output 0 on the whole batch.</summary>
    DeadUnits = 8,
    /// <summary>At least <see cref="GradientHealth.SaturatedShareLimit"/> of the sigmoid/tanh activations sit at an asymptote.</summary>
    Saturated = 16,
}

/// <summary>The health of one layer at the last optimizer step.</summary>
/// <param name="Layer">0-based layer index.</param>
/// <param name="Units">Outputs of the layer.</param>
/// <param name="Activation">Its activation.</param>
/// <param name="GradientNorm">‖(dW, db)‖₂ of the layer before the step (before clipping).</param>
/// <param name="WeightNorm">‖(W, b)‖₂ of the layer before the step.</param>
/// <param name="DeadShare">Share of units, for ReLU layers, whose output was 0 for every row of the batch (0 otherwise).</param>
/// <param name="SaturatedShare">
/// Share of activations, for sigmoid and tanh layers, near an asymptote — sigmoid below 0.01 or above 0.99,
/// |tanh| above 0.99 — over the whole batch (0 otherwise).
/// </param>
/// <param name="Issues">What stands out, by the thresholds of the <see cref="GradientHealth"/> that computed it.</param>
public readonly record struct LayerHealth(int Layer, int Units, Activation Activation, float GradientNorm, float WeightNorm,
    float DeadShare, float SaturatedShare, HealthIssue Issues)
{
    /// <summary>‖∇‖ / ‖Θ‖: the relative size of an update before the learning rate (0 when the weights are all zero).</summary>
    public float RelativeGradient => WeightNorm > 0f ? GradientNorm / WeightNorm : 0f;
}

/// <summary>
/// Gradient health per layer, so a game can show why an agent is not learning: the gradient norm of each
/// layer (vanishing and exploding gradients), the share of dead ReLU units and of saturated sigmoid/tanh
/// activations. The brain captures the raw numbers just before each optimizer step (cost: one pass over the
/// gradients, the weights and the last batch's activations, and only once a monitor exists);
/// <see cref="Refresh"/> turns them into <see cref="Layers"/>. Reading every tick allocates nothing.
/// </summary>
public sealed class GradientHealth
{
    private readonly HealthCapture _capture;
    private readonly LayerHealth[] _layers;
    private long _seen;

    /// <summary>Starts monitoring <paramref name="brain"/> (from its next optimizer step on).</summary>
    /// <param name="brain">The brain that is learning.</param>
    public GradientHealth(Brain brain)
    {
        Brain = brain ?? throw new ArgumentNullException(nameof(brain));
        _capture = HealthCapture.Attach(brain);
        _layers = new LayerHealth[brain.Layers.Count];
    }

    /// <summary>The brain monitored.</summary>
    public Brain Brain { get; }

    /// <summary>Flag a layer whose gradient norm exceeds this (default 100).</summary>
    public float ExplodingNorm { get; set; } = 100f;

    /// <summary>Flag a layer whose gradient norm is below this (default 1e-6).</summary>
    public float VanishingNorm { get; set; } = 1e-6f;

    /// <summary>Flag a ReLU layer with at least this share of dead units (default 0.5).</summary>
    public float DeadShareLimit { get; set; } = 0.5f;

    /// <summary>Flag a sigmoid/tanh layer with at least this share of saturated activations (default 0.5).</summary>
    public float SaturatedShareLimit { get; set; } = 0.5f;

    /// <summary>Per-layer health as of the last <see cref="Refresh"/> (default values before the first capture).</summary>
    public ReadOnlySpan<LayerHealth> Layers => _layers;

    /// <summary>Optimizer steps (kept or rejected) captured so far.</summary>
    public long Captures => _capture.Captures;

    /// <summary>Rows of the batch the activation shares came from (0 when no forward batch was at hand).</summary>
    public int Rows => _capture.Rows;

    /// <summary>Every issue of every layer, as of the last <see cref="Refresh"/>.</summary>
    public HealthIssue Issues { get; private set; }

    /// <summary>Reads the latest capture into <see cref="Layers"/>. Returns false when nothing new was captured. Allocates nothing.</summary>
    public bool Refresh()
    {
        long captures = _capture.Captures;
        if (captures == _seen) return false;
        _seen = captures;
        HealthIssue all = HealthIssue.None;
        for (int i = 0; i < _layers.Length; i++)
        {
            var layer = Brain.Layers[i];
            float gradient = (float)Math.Sqrt(_capture.GradientSquares[i]), weight = (float)Math.Sqrt(_capture.WeightSquares[i]);
            float dead = _capture.DeadShare[i], saturated = _capture.SaturatedShare[i];
            HealthIssue issues = HealthIssue.None;
            if (float.IsNaN(gradient) || float.IsInfinity(gradient)) issues |= HealthIssue.NonFinite;
            else if (gradient > ExplodingNorm) issues |= HealthIssue.Exploding;
            else if (gradient < VanishingNorm) issues |= HealthIssue.Vanishing;
            if (dead >= DeadShareLimit && dead > 0f) issues |= HealthIssue.DeadUnits;
            if (saturated >= SaturatedShareLimit && saturated > 0f) issues |= HealthIssue.Saturated;
            _layers[i] = new LayerHealth(i, layer.Outputs, Brain.Spec.Layers[i].Activation, gradient, weight, dead, saturated, issues);
            all |= issues;
        }
        Issues = all;
        return true;
    }
}
