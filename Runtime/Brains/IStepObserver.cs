namespace Cortex;

/// <summary>
/// The one hook a brain calls just before each optimizer step, while the gradients and the activations of the last
/// forward pass are still in place (Diagnostics' gradient health installs one). Must not allocate.
/// </summary>
internal interface IStepObserver
{
    /// <summary>Called by <see cref="Brain.ApplyGradients"/> before the finite check and the step.</summary>
    /// <param name="brain">The brain about to step.</param>
    void BeforeStep(Brain brain);
}
