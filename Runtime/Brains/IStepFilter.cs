namespace Cortex;

/// <summary>
/// Reviews each optimizer step of a <see cref="Brain"/> before it is taken (see <see cref="Brain.StepFilter"/>),
/// given the norm of the accumulated gradients. Called on the thread that trains; must not allocate.
/// </summary>
public interface IStepFilter
{
    /// <summary>
    /// The factor the gradients are scaled by before the step: 1 takes the step as it is, a value in (0, 1)
    /// shrinks it, 0 (or less, or NaN) rejects it — the weights stay as they were, the gradients are cleared
    /// and <see cref="Brain.RejectedSteps"/> counts it.
    /// </summary>
    /// <param name="gradientNorm">‖∇J‖₂ of the accumulated gradients, finite.</param>
    float Review(float gradientNorm);
}
