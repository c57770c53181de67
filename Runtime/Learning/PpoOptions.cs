using System;

namespace Cortex.Learning;

/// <summary>
/// Hyper-parameters of <see cref="PpoLearner"/>. Defaults are Stable-Baselines3's PPO defaults
/// (Schulman et al. 2017, "Proximal Policy Optimization Algorithms") except where noted.
/// </summary>
public sealed class PpoOptions
{
    /// <summary>Discount γ (SB3: 0.99).</summary>
    public float Gamma { get; set; } = 0.99f;

    /// <summary>λ of generalised advantage estimation (SB3: 0.95).</summary>
    public float Lambda { get; set; } = 0.95f;

    /// <summary>Steps per agent collected before each update (SB3 n_steps: 2048 for one environment; rows per rollout = this × agents).</summary>
    public int RolloutLength { get; set; } = 2048;

    /// <summary>Passes over each rollout (SB3 n_epochs: 10).</summary>
    public int Epochs { get; set; } = 10;

    /// <summary>Rows per minibatch (SB3 batch_size: 64); the brains' MaxBatch must hold it.</summary>
    public int MinibatchSize { get; set; } = 64;

    /// <summary>Step size of actor, critic and log σ at the start (SB3: 3e-4).</summary>
    public float LearningRate { get; set; } = 3e-4f;

    /// <summary>Step size reached after <see cref="AnnealSteps"/> (linear schedule); equal to <see cref="LearningRate"/> for a constant rate.</summary>
    public float FinalLearningRate { get; set; } = 3e-4f;

    /// <summary>Clip range ε of the surrogate at the start (SB3: 0.2).</summary>
    public float ClipRange { get; set; } = 0.2f;

    /// <summary>Clip range reached after <see cref="AnnealSteps"/> (linear schedule).</summary>
    public float FinalClipRange { get; set; } = 0.2f;

    /// <summary>Agent-steps over which the learning rate and clip range move linearly to their final values; 0 keeps them constant.</summary>
    public long AnnealSteps { get; set; }

    /// <summary>Clip range of the value loss around the rollout's values; 0 turns value clipping off (SB3 clip_range_vf: off).</summary>
    public float ValueClipRange { get; set; }

    /// <summary>Weight c of the value loss c·mean((V − R)²) (SB3 vf_coef: 0.5).</summary>
    public float ValueCoefficient { get; set; } = 0.5f;

    /// <summary>Weight β of the entropy bonus (SB3 ent_coef: 0).</summary>
    public float EntropyCoefficient { get; set; }

    /// <summary>Standardise the advantages of each minibatch (SB3: true).</summary>
    public bool NormalizeAdvantages { get; set; } = true;

    /// <summary>Global-norm gradient clipping of each network's step (SB3 max_grad_norm: 0.5); 0 turns it off.</summary>
    public float MaxGradientNorm { get; set; } = 0.5f;

    /// <summary>Initial log σ of the continuous actions (SB3 log_std_init: 0).</summary>
    public float InitialLogStd { get; set; }

    /// <summary>Clip sampled continuous actions to [−1, 1] before handing them out (the stored sample stays unclipped, as SB3).</summary>
    public bool ClipContinuousActions { get; set; } = true;

    /// <summary>
    /// <see cref="RecurrentPpoLearner"/> only: steps of each stored training sequence that carry the loss (the rollout is
    /// cut into sequences of this length per agent; <see cref="RolloutLength"/> must be a multiple of it). A minibatch
    /// holds <see cref="MinibatchSize"/> / this many sequences (at least one).
    /// </summary>
    public int SequenceLength { get; set; } = 16;

    /// <summary>
    /// <see cref="RecurrentPpoLearner"/> only: steps before each training sequence replayed from the stored hidden state
    /// without loss or gradient, so the state entering the sequence is recomputed by the current weights (R2D2's burn-in).
    /// At most <see cref="RolloutLength"/>.
    /// </summary>
    public int BurnIn { get; set; } = 8;

    internal void Validate()
    {
        if (!(Gamma >= 0f && Gamma <= 1f)) throw new ArgumentOutOfRangeException(nameof(Gamma), Gamma, "Gamma must lie in [0, 1].");
        if (!(Lambda >= 0f && Lambda <= 1f)) throw new ArgumentOutOfRangeException(nameof(Lambda), Lambda, "Lambda must lie in [0, 1].");
        if (RolloutLength < 1) throw new ArgumentOutOfRangeException(nameof(RolloutLength), RolloutLength, "RolloutLength must be at least 1.");
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "Epochs must be at least 1.");
        if (MinibatchSize < 1) throw new ArgumentOutOfRangeException(nameof(MinibatchSize), MinibatchSize, "MinibatchSize must be at least 1.");
        if (!(LearningRate > 0f) || float.IsInfinity(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "LearningRate must be positive and finite.");
        if (!(FinalLearningRate >= 0f) || float.IsInfinity(FinalLearningRate)) throw new ArgumentOutOfRangeException(nameof(FinalLearningRate), FinalLearningRate, "FinalLearningRate must be non-negative and finite.");
        if (!(ClipRange > 0f && ClipRange < 1f)) throw new ArgumentOutOfRangeException(nameof(ClipRange), ClipRange, "ClipRange must lie in (0, 1).");
        if (!(FinalClipRange >= 0f && FinalClipRange < 1f)) throw new ArgumentOutOfRangeException(nameof(FinalClipRange), FinalClipRange, "FinalClipRange must lie in [0, 1).");
        if (AnnealSteps < 0) throw new ArgumentOutOfRangeException(nameof(AnnealSteps), AnnealSteps, "AnnealSteps must be non-negative.");
        if (!(ValueClipRange >= 0f) || float.IsInfinity(ValueClipRange)) throw new ArgumentOutOfRangeException(nameof(ValueClipRange), ValueClipRange, "ValueClipRange must be non-negative and finite.");
        if (!(ValueCoefficient > 0f) || float.IsInfinity(ValueCoefficient)) throw new ArgumentOutOfRangeException(nameof(ValueCoefficient), ValueCoefficient, "ValueCoefficient must be positive and finite.");
        if (!(EntropyCoefficient >= 0f) || float.IsInfinity(EntropyCoefficient)) throw new ArgumentOutOfRangeException(nameof(EntropyCoefficient), EntropyCoefficient, "EntropyCoefficient must be non-negative and finite.");
        if (!(MaxGradientNorm >= 0f) || float.IsInfinity(MaxGradientNorm)) throw new ArgumentOutOfRangeException(nameof(MaxGradientNorm), MaxGradientNorm, "MaxGradientNorm must be non-negative and finite.");
        if (SequenceLength < 1) throw new ArgumentOutOfRangeException(nameof(SequenceLength), SequenceLength, "SequenceLength must be at least 1.");
        if (BurnIn < 0) throw new ArgumentOutOfRangeException(nameof(BurnIn), BurnIn, "BurnIn must be non-negative.");
        if (!(InitialLogStd > -10f && InitialLogStd < 5f)) throw new ArgumentOutOfRangeException(nameof(InitialLogStd), InitialLogStd, "InitialLogStd must lie in (-10, 5).");
    }

    /// <summary>The learning rate and clip range after <paramref name="steps"/> environment steps (linear anneal to the finals).</summary>
    internal (float Rate, float Clip) Schedule(long steps)
    {
        double progress = AnnealSteps > 0 ? Math.Min(1.0, (double)steps / AnnealSteps) : 0.0;
        float rate = (float)(LearningRate + (FinalLearningRate - LearningRate) * progress);
        float clip = (float)(ClipRange + (FinalClipRange - ClipRange) * progress);
        return (Math.Max(rate, 1e-9f), clip);
    }

    /// <summary>A network's optimizer at <paramref name="rate"/>, with the options' gradient clipping.</summary>
    internal Optimizer Scheduled(Optimizer optimizer, float rate)
    {
        Optimizer o = optimizer.WithLearningRate(rate);
        return MaxGradientNorm > 0f ? o.WithGradientClipping(MaxGradientNorm) : o;
    }
}
