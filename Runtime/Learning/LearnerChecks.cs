using System;

namespace Cortex.Learning;

/// <summary>Argument checks the learners share.</summary>
internal static class LearnerChecks
{
    /// <summary>Throws unless the brain's last layer is linear (logits, means or values: the learner applies its own head).</summary>
    /// <param name="brain">The brain.</param>
    /// <param name="name">The caller's parameter name.</param>
    /// <param name="role">What the brain is, e.g. "The actor".</param>
    /// <param name="outputs">What its outputs are, e.g. "logits and means".</param>
    public static void RequireLinearOutput(Brain brain, string name, string role, string? outputs = null)
    {
        if (brain.Spec.Layers[brain.Spec.Layers.Count - 1].Activation.Kind == ActivationKind.Linear) return;
        throw new ArgumentException($"{role}'s last layer must be linear{(outputs is null ? "" : $" ({outputs})")}.", name);
    }
}
