using System;

namespace Cortex.Learning;

/// <summary>
/// Hyper-parameters of <see cref="SacLearner"/>. Defaults are Stable-Baselines3's SAC defaults
/// (Haarnoja et al. 2018, "Soft Actor-Critic Algorithms and Applications") except where noted; the
/// networks' own optimizers set the actor's and critics' step sizes.
/// </summary>
public sealed class SacOptions
{
    /// <summary>Discount γ (SB3: 0.99).</summary>
    public float Gamma { get; set; } = 0.99f;

    /// <summary>Polyak coefficient τ of the target critics, Θ′ ← Θ′ + τ(Θ − Θ′) after each gradient step (SB3: 0.005).</summary>
    public float Tau { get; set; } = 0.005f;

    /// <summary>Transitions per gradient step (SB3: 256); the brains' MaxBatch must hold it.</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>Replay capacity in transitions (SB3: 1,000,000).</summary>
    public int BufferCapacity { get; set; } = 1_000_000;

    /// <summary>Transitions collected before the first gradient step (SB3: 100).</summary>
    public int LearningStarts { get; set; } = 100;

    /// <summary>Update-to-data ratio: gradient steps per recorded transition (SB3: train_freq 1 with gradient_steps 1, so 1).</summary>
    public float UpdatesPerStep { get; set; } = 1f;

    /// <summary>Learn the entropy temperature α automatically (SB3 ent_coef "auto").</summary>
    public bool AutoTemperature { get; set; } = true;

    /// <summary>α at the start, or the fixed α when <see cref="AutoTemperature"/> is off (SB3: 1.0 for "auto").</summary>
    public float InitialTemperature { get; set; } = 1f;

    /// <summary>Target entropy H̄ of the temperature loss; null means −(action dimension) (SB3's "auto").</summary>
    public float? TargetEntropy { get; set; }

    /// <summary>Adam step size of log α (SB3: the learning rate, 3e-4).</summary>
    public float TemperatureLearningRate { get; set; } = 3e-4f;

    /// <summary>Lower clamp of the actor's log σ output (SB3: −20).</summary>
    public float MinLogStd { get; set; } = -20f;

    /// <summary>Upper clamp of the actor's log σ output (SB3: 2).</summary>
    public float MaxLogStd { get; set; } = 2f;

    internal void Validate()
    {
        if (!(Gamma >= 0f && Gamma <= 1f)) throw new ArgumentOutOfRangeException(nameof(Gamma), Gamma, "Gamma must lie in [0, 1].");
        if (!(Tau > 0f && Tau <= 1f)) throw new ArgumentOutOfRangeException(nameof(Tau), Tau, "Tau must lie in (0, 1].");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be at least 1.");
        if (BufferCapacity < 1) throw new ArgumentOutOfRangeException(nameof(BufferCapacity), BufferCapacity, "BufferCapacity must be at least 1.");
        if (LearningStarts < 1) throw new ArgumentOutOfRangeException(nameof(LearningStarts), LearningStarts, "LearningStarts must be at least 1.");
        if (!(UpdatesPerStep > 0f && UpdatesPerStep <= 64f)) throw new ArgumentOutOfRangeException(nameof(UpdatesPerStep), UpdatesPerStep, "UpdatesPerStep must lie in (0, 64].");
        if (!(InitialTemperature > 0f) || float.IsInfinity(InitialTemperature)) throw new ArgumentOutOfRangeException(nameof(InitialTemperature), InitialTemperature, "InitialTemperature must be positive and finite.");
        if (TargetEntropy is float h && (float.IsNaN(h) || float.IsInfinity(h))) throw new ArgumentOutOfRangeException(nameof(TargetEntropy), h, "TargetEntropy must be finite.");
        if (!(TemperatureLearningRate > 0f) || float.IsInfinity(TemperatureLearningRate)) throw new ArgumentOutOfRangeException(nameof(TemperatureLearningRate), TemperatureLearningRate, "TemperatureLearningRate must be positive and finite.");
        if (!(MinLogStd < MaxLogStd) || float.IsInfinity(MinLogStd) || float.IsInfinity(MaxLogStd)) throw new ArgumentOutOfRangeException(nameof(MinLogStd), MinLogStd, "MinLogStd must be finite and below MaxLogStd.");
    }
}
