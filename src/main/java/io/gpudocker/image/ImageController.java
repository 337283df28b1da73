package io.gpudocker.image;

import io.gpudocker.api.ApiResponse;
import io.gpudocker.api.Caller;
import io.gpudocker.api.RunsOn;
import io.gpudocker.api.RunsOn.Where;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/images")
@Tag(name = "images", description = "Images on the host that instances can be created from")
class ImageController {
    private final ImageCatalog catalog;

    ImageController(ImageCatalog catalog) {
        this.catalog = catalog;
    }

    @GetMapping
    @RunsOn(Where.IMAGES_NODE_IN_QUERY)
    @Operation(summary = "Tagged images on the host: base images, and the images this tenant committed (every one for the admin)")
    ApiResponse<List<ImageViews.ImageSummary>> list(@Parameter(hidden = true) @AuthenticationPrincipal Caller caller,
            @Parameter(description = "the node whose images to list (images are per host); default the node that answers", example = "gpu1")
            @org.springframework.web.bind.annotation.RequestParam(required = false) String node) {
        return ApiResponse.ok(catalog.list(caller));
    }
}
