/**
 * A selfie frame from expo-camera as bytes in memory: the camera writes the JPEG to the app's
 * cache, the app reads it and deletes the file at once, so no image stays on the device.
 */
import type { CameraView } from "expo-camera";
import { File } from "expo-file-system";

/** Takes one JPEG with the camera view and returns its bytes (the file is deleted). */
export async function takeFrame(camera: CameraView): Promise<Uint8Array> {
  const picture = await camera.takePictureAsync({
    quality: 0.8,
    shutterSound: false,
    exif: false,
  });
  const file = new File(picture.uri);
  try {
    return await file.bytes();
  } finally {
    try {
      file.delete();
    } catch {
      // already gone
    }
  }
}
