namespace Cortex;

/// <summary>Loss and accuracy of a brain on a data set.</summary>
/// <param name="Loss">Mean loss over rows.</param>
/// <param name="Accuracy">Share of rows classified correctly (1 − the 0-1 loss, see <see cref="Metrics"/>).</param>
public readonly record struct Evaluation(float Loss, float Accuracy);
